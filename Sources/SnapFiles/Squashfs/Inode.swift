/// One file-system object of a squashfs image, decoded from the inode table.
public struct SquashfsInode: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case directory
        case file
        case symlink
        case blockDevice
        case characterDevice
        case fifo
        case socket
    }

    public let kind: Kind
    /// Permission bits, including setuid, setgid and sticky (0o7777).
    public let permissions: UInt16
    public let uid: UInt32
    public let gid: UInt32
    public let modificationTime: UInt32
    public let number: UInt32
    /// File size in bytes; for directories, the listing size.
    public let size: UInt64
    public let linkCount: UInt32
    /// Symlink target.
    public let target: String?

    // Where the contents are.
    let blocksStart: UInt64
    let blockSizes: [UInt32]
    let fragment: UInt32
    let fragmentOffset: UInt32
    let listingBlock: UInt32
    let listingOffset: UInt16

    static let noFragment: UInt32 = 0xffff_ffff
    static let uncompressedBit: UInt32 = 1 << 24
}

extension SquashfsImage {
    /// Decodes the inode at a reference: metadata block (relative to the inode table) and offset.
    func inode(at reference: UInt64) throws(SnapFileError) -> SquashfsInode {
        let blockStart = superblock.inodeTableStart + (reference >> 16)
        let offset = Int(reference & 0xffff)
        guard offset < MetadataReader.blockSize else {
            throw SnapFileError(.corrupt, "inode reference \(reference) has an offset past a metadata block")
        }
        var cursor = InodeCursor(image: self, blockStart: blockStart, offset: offset)
        var header = LittleEndianReader(try cursor.read(16), what: "inode header")
        let type = try header.u16()
        let permissions = try header.u16() & 0o7777
        let uid = try id(at: Int(try header.u16()))
        let gid = try id(at: Int(try header.u16()))
        let mtime = try header.u32()
        let number = try header.u32()
        guard number >= 1, number <= superblock.inodeCount else {
            throw SnapFileError(.corrupt, "inode number \(number) is outside 1…\(superblock.inodeCount)")
        }
        func make(
            _ kind: SquashfsInode.Kind, size: UInt64 = 0, links: UInt32 = 1, target: String? = nil,
            blocksStart: UInt64 = 0, blockSizes: [UInt32] = [], fragment: UInt32 = SquashfsInode.noFragment,
            fragmentOffset: UInt32 = 0, listingBlock: UInt32 = 0, listingOffset: UInt16 = 0
        ) -> SquashfsInode {
            SquashfsInode(
                kind: kind, permissions: permissions, uid: uid, gid: gid, modificationTime: mtime, number: number,
                size: size, linkCount: links, target: target, blocksStart: blocksStart, blockSizes: blockSizes,
                fragment: fragment, fragmentOffset: fragmentOffset, listingBlock: listingBlock,
                listingOffset: listingOffset)
        }
        switch type {
        case 1:
            var body = LittleEndianReader(try cursor.read(16), what: "directory inode")
            let block = try body.u32()
            let links = try body.u32()
            let size = try body.u16()
            let offset = try body.u16()
            _ = try body.u32()
            return make(.directory, size: UInt64(size), links: links, listingBlock: block, listingOffset: offset)
        case 8:
            var body = LittleEndianReader(try cursor.read(24), what: "extended directory inode")
            let links = try body.u32()
            let size = try body.u32()
            let block = try body.u32()
            _ = try body.u32()
            let indexCount = try body.u16()
            let offset = try body.u16()
            _ = try body.u32()
            // The directory index only speeds lookups up; it is skipped, not trusted.
            for _ in 0..<indexCount {
                var entry = LittleEndianReader(try cursor.read(12), what: "directory index")
                _ = try entry.u32()
                _ = try entry.u32()
                let nameSize = try entry.u32()
                guard nameSize < 256 else { throw SnapFileError(.corrupt, "directory index name is too long") }
                _ = try cursor.read(Int(nameSize) + 1)
            }
            return make(.directory, size: UInt64(size), links: links, listingBlock: block, listingOffset: offset)
        case 2:
            var body = LittleEndianReader(try cursor.read(16), what: "file inode")
            let start = try body.u32()
            let fragment = try body.u32()
            let fragmentOffset = try body.u32()
            let size = try body.u32()
            let sizes = try blockSizes(&cursor, fileSize: UInt64(size), fragment: fragment)
            return make(
                .file, size: UInt64(size), blocksStart: UInt64(start), blockSizes: sizes, fragment: fragment,
                fragmentOffset: fragmentOffset)
        case 9:
            var body = LittleEndianReader(try cursor.read(40), what: "extended file inode")
            let start = try body.u64()
            let size = try body.u64()
            _ = try body.u64()
            let links = try body.u32()
            let fragment = try body.u32()
            let fragmentOffset = try body.u32()
            _ = try body.u32()
            let sizes = try blockSizes(&cursor, fileSize: size, fragment: fragment)
            return make(
                .file, size: size, links: links, blocksStart: start, blockSizes: sizes, fragment: fragment,
                fragmentOffset: fragmentOffset)
        case 3, 10:
            var body = LittleEndianReader(try cursor.read(8), what: "symlink inode")
            let links = try body.u32()
            let length = try body.u32()
            guard length <= 4096 else {
                throw SnapFileError(.corrupt, "symlink target of \(length) bytes is longer than 4096")
            }
            let target = String(decoding: try cursor.read(Int(length)), as: UTF8.self)
            return make(.symlink, size: UInt64(length), links: links, target: target)
        case 4, 5, 11, 12:
            var body = LittleEndianReader(try cursor.read(8), what: "device inode")
            let links = try body.u32()
            let device = try body.u32()
            return make(type == 4 || type == 11 ? .blockDevice : .characterDevice, size: UInt64(device), links: links)
        case 6, 7, 13, 14:
            var body = LittleEndianReader(try cursor.read(4), what: "ipc inode")
            return make(type == 6 || type == 13 ? .fifo : .socket, links: try body.u32())
        default:
            throw SnapFileError(.corrupt, "unknown inode type \(type) at reference \(reference)")
        }
    }

    private func blockSizes(_ cursor: inout InodeCursor, fileSize: UInt64, fragment: UInt32) throws(SnapFileError)
        -> [UInt32]
    {
        let blockSize = UInt64(superblock.blockSize)
        let count =
            fragment == SquashfsInode.noFragment ? (fileSize + blockSize - 1) / blockSize : fileSize / blockSize
        // Every block needs four bytes of inode table; more blocks than that could hold is corruption.
        let tableBytes = superblock.directoryTableStart - superblock.inodeTableStart
        guard count <= tableBytes * 2048 else {
            throw SnapFileError(.corrupt, "file of \(fileSize) bytes needs more block sizes than the inode table holds")
        }
        var sizes: [UInt32] = []
        sizes.reserveCapacity(Int(min(count, 1 << 16)))
        var remaining = Int(count)
        while remaining > 0 {
            let batch = min(remaining, 1024)
            var reader = LittleEndianReader(try cursor.read(batch * 4), what: "block list")
            for _ in 0..<batch { sizes.append(try reader.u32()) }
            remaining -= batch
        }
        return sizes
    }
}

/// A position in the inode table that advances as inode fields are read.
struct InodeCursor {
    let image: SquashfsImage
    var blockStart: UInt64
    var offset: Int

    mutating func read(_ count: Int) throws(SnapFileError) -> [UInt8] {
        let result = try image.metadata.read(
            blockStart: blockStart, offset: offset, count: count, tableEnd: image.superblock.directoryTableStart)
        blockStart = result.blockStart
        offset = result.offset
        return result.bytes
    }
}
