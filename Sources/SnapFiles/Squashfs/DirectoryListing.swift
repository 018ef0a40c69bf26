/// One name in a directory listing and the inode it points to.
public struct SquashfsDirectoryEntry: Sendable, Equatable {
    public let name: String
    let inodeReference: UInt64
    let inodeNumber: UInt32
    let type: UInt16
}

extension SquashfsImage {
    /// Decodes a directory's listing from the directory table: headers giving an inode block and a
    /// base inode number, each followed by up to 256 entries.
    func listing(of directory: SquashfsInode) throws(SnapFileError) -> [SquashfsDirectoryEntry] {
        guard directory.kind == .directory else {
            throw SnapFileError(.notFound, "inode \(directory.number) is not a directory")
        }
        // The stored size counts three bytes for "." and "..", which are not in the listing.
        guard directory.size >= 3 else {
            throw SnapFileError(
                .corrupt, "directory inode \(directory.number) has an impossible size \(directory.size)")
        }
        let length = Int(directory.size - 3)
        guard length > 0 else { return [] }
        guard length <= 1 << 26 else {
            throw SnapFileError(.corrupt, "directory inode \(directory.number) claims a \(length)-byte listing")
        }
        let bytes = try metadata.read(
            blockStart: superblock.directoryTableStart + UInt64(directory.listingBlock),
            offset: Int(directory.listingOffset), count: length, tableEnd: superblock.bytesUsed
        ).bytes
        var reader = LittleEndianReader(bytes, what: "directory listing")
        var entries: [SquashfsDirectoryEntry] = []
        while reader.remaining > 0 {
            // The header stores the count less one; 0xFFFFFFFF must not wrap to nothing.
            let count = UInt64(try reader.u32()) + 1
            let inodeBlock = try reader.u32()
            let baseNumber = try reader.u32()
            guard count <= 256 else {
                throw SnapFileError(
                    .corrupt, "directory inode \(directory.number): header count \(count) entries (at most 256)")
            }
            for _ in 0..<count {
                let offset = try reader.u16()
                let delta = Int16(bitPattern: try reader.u16())
                let type = try reader.u16()
                let nameSize = Int(try reader.u16()) + 1
                let nameBytes = try reader.take(nameSize)
                let name = String(decoding: nameBytes, as: UTF8.self)
                // A name that could escape its directory when extracted is corruption, not a file.
                guard name != ".", name != "..", !nameBytes.contains(0x2f), !nameBytes.contains(0) else {
                    throw SnapFileError(.corrupt, "directory entry with an invalid name in inode \(directory.number)")
                }
                let number = Int64(baseNumber) + Int64(delta)
                guard number >= 1, number <= Int64(superblock.inodeCount) else {
                    throw SnapFileError(.corrupt, "directory entry \"\(name)\" points to inode number \(number)")
                }
                entries.append(
                    SquashfsDirectoryEntry(
                        name: name, inodeReference: UInt64(inodeBlock) << 16 | UInt64(offset),
                        inodeNumber: UInt32(number), type: type))
            }
        }
        return entries
    }
}
