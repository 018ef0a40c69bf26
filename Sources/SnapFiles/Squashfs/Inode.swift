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

    // Where the contents are: the data blocks from `blocksStart`, their sizes in a list of
    // `blockCount` words in the inode table, read as the file is (a declared size costs nothing
    // until its blocks are read).
    let blocksStart: UInt64
    let blockCount: Int
    let blockList: InodeTablePosition
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
            blocksStart: UInt64 = 0, blockCount: Int = 0, blockList: InodeTablePosition = .init(),
            fragment: UInt32 = SquashfsInode.noFragment,
            fragmentOffset: UInt32 = 0, listingBlock: UInt32 = 0, listingOffset: UInt16 = 0
        ) -> SquashfsInode {
            SquashfsInode(
                kind: kind, permissions: permissions, uid: uid, gid: gid, modificationTime: mtime, number: number,
                size: size, linkCount: links, target: target, blocksStart: blocksStart, blockCount: blockCount,
                blockList: blockList,
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
            let count = try blockCount(fileSize: UInt64(size), fragment: fragment, inode: number)
            return make(
                .file, size: UInt64(size), blocksStart: UInt64(start), blockCount: count, blockList: cursor.position,
                fragment: fragment, fragmentOffset: fragmentOffset)
        case 9:
            var body = LittleEndianReader(try cursor.read(40), what: "extended file inode")
            let start = try body.u64()
            let size = try body.u64()
            _ = try body.u64()
            let links = try body.u32()
            let fragment = try body.u32()
            let fragmentOffset = try body.u32()
            _ = try body.u32()
            let count = try blockCount(fileSize: size, fragment: fragment, inode: number)
            return make(
                .file, size: size, links: links, blocksStart: start, blockCount: count, blockList: cursor.position,
                fragment: fragment, fragmentOffset: fragmentOffset)
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

    /// How many data blocks a file of `fileSize` bytes lists: a file ends in a partial block unless
    /// its tail is in a fragment. Sizes beyond what the image could describe are refused here,
    /// before anything is allocated for them.
    private func blockCount(fileSize: UInt64, fragment: UInt32, inode number: UInt32) throws(SnapFileError) -> Int {
        guard fileSize <= SquashfsImage.maxFileSize else {
            throw SnapFileError(
                .corrupt,
                "file inode \(number): file_size \(fileSize) is beyond the \(SquashfsImage.maxFileSize) bytes a file may have"
            )
        }
        let blockSize = UInt64(superblock.blockSize)
        let partial: UInt64 = fragment == SquashfsInode.noFragment && fileSize % blockSize != 0 ? 1 : 0
        let count = fileSize / blockSize + partial
        // Each block needs a four-byte size in the inode table, and a metadata block of the table
        // takes at least three bytes of the image to hold 8 KiB: more than that is corruption.
        let (capacity, overflow) = (superblock.directoryTableStart - superblock.inodeTableStart)
            .multipliedReportingOverflow(by: UInt64(MetadataReader.blockSize / 4))
        guard overflow || count <= capacity else {
            throw SnapFileError(
                .corrupt,
                "file inode \(number): file_size \(fileSize) needs \(count) block sizes, more than the inode table holds"
            )
        }
        return Int(count)
    }
}

/// A place in the inode table: a metadata block (absolute offset) and an offset into it.
struct InodeTablePosition: Sendable, Equatable {
    var blockStart: UInt64 = 0
    var offset: Int = 0
}

/// A position in the inode table that advances as inode fields are read.
struct InodeCursor {
    let image: SquashfsImage
    var blockStart: UInt64
    var offset: Int

    init(image: SquashfsImage, blockStart: UInt64, offset: Int) {
        self.image = image
        self.blockStart = blockStart
        self.offset = offset
    }

    init(image: SquashfsImage, at position: InodeTablePosition) {
        self.init(image: image, blockStart: position.blockStart, offset: position.offset)
    }

    var position: InodeTablePosition { InodeTablePosition(blockStart: blockStart, offset: offset) }

    mutating func read(_ count: Int) throws(SnapFileError) -> [UInt8] {
        let result = try image.metadata.read(
            blockStart: blockStart, offset: offset, count: count, tableEnd: image.superblock.directoryTableStart)
        blockStart = result.blockStart
        offset = result.offset
        return result.bytes
    }
}
