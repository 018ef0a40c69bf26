/// The 96-byte squashfs 4.0 superblock: where every table is and how blocks are compressed.
public struct Superblock: Sendable, Equatable {
    public static let size = 96
    static let magic: UInt32 = 0x7371_7368  // "hsqs" read little-endian
    static let noTable: UInt64 = .max

    public struct Flags: OptionSet, Sendable, Equatable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }

        public static let uncompressedInodes = Flags(rawValue: 0x0001)
        public static let uncompressedData = Flags(rawValue: 0x0002)
        public static let uncompressedFragments = Flags(rawValue: 0x0008)
        public static let noFragments = Flags(rawValue: 0x0010)
        public static let alwaysFragments = Flags(rawValue: 0x0020)
        public static let duplicates = Flags(rawValue: 0x0040)
        public static let exportable = Flags(rawValue: 0x0080)
        public static let uncompressedXattrs = Flags(rawValue: 0x0100)
        public static let noXattrs = Flags(rawValue: 0x0200)
        public static let compressorOptions = Flags(rawValue: 0x0400)
        public static let uncompressedIDs = Flags(rawValue: 0x0800)
    }

    public var inodeCount: UInt32
    public var modificationTime: UInt32
    public var blockSize: UInt32
    public var fragmentCount: UInt32
    public var compression: SquashfsCompression
    public var flags: Flags
    public var idCount: UInt16
    public var rootInode: UInt64
    public var bytesUsed: UInt64
    public var idTableStart: UInt64
    public var xattrTableStart: UInt64
    public var inodeTableStart: UInt64
    public var directoryTableStart: UInt64
    public var fragmentTableStart: UInt64
    public var exportTableStart: UInt64

    /// Parses and sanity-checks a superblock read from a file of `fileSize` bytes.
    init(_ bytes: [UInt8], fileSize: UInt64) throws(SnapFileError) {
        guard bytes.count >= 4 else {
            throw SnapFileError(.notSquashfs, "not a squashfs image: the file has only \(bytes.count) bytes")
        }
        var reader = LittleEndianReader(bytes, what: "superblock")
        let magic = try reader.u32()
        if magic == 0x6873_7173 {
            throw SnapFileError(.notSquashfs, "big-endian squashfs images are not supported")
        }
        guard magic == Self.magic else {
            throw SnapFileError(.notSquashfs, "not a squashfs image: no \"hsqs\" magic at the start of the file")
        }
        guard bytes.count >= Self.size else {
            throw SnapFileError(
                .corrupt, "truncated squashfs image: the superblock needs 96 bytes, the file has \(bytes.count)")
        }
        inodeCount = try reader.u32()
        modificationTime = try reader.u32()
        blockSize = try reader.u32()
        fragmentCount = try reader.u32()
        let compressionID = try reader.u16()
        let blockLog = try reader.u16()
        flags = Flags(rawValue: try reader.u16())
        idCount = try reader.u16()
        let major = try reader.u16()
        let minor = try reader.u16()
        rootInode = try reader.u64()
        bytesUsed = try reader.u64()
        idTableStart = try reader.u64()
        xattrTableStart = try reader.u64()
        inodeTableStart = try reader.u64()
        directoryTableStart = try reader.u64()
        fragmentTableStart = try reader.u64()
        exportTableStart = try reader.u64()

        guard major == 4, minor == 0 else {
            throw SnapFileError(.notSquashfs, "squashfs version \(major).\(minor) is not supported (4.0 only)")
        }
        guard let compression = SquashfsCompression(rawValue: compressionID) else {
            throw SnapFileError(.unsupportedCompression, "unsupported compression: unknown id \(compressionID)")
        }
        guard compression.isSupported else {
            throw SnapFileError(.unsupportedCompression, "unsupported compression: \(compression)")
        }
        self.compression = compression
        guard blockSize >= 4096, blockSize <= 1 << 20, blockSize & (blockSize - 1) == 0,
            UInt32(1) << UInt32(min(blockLog, 31)) == blockSize
        else {
            throw SnapFileError(.corrupt, "bad superblock: block size \(blockSize) with log \(blockLog)")
        }
        guard bytesUsed >= UInt64(Self.size) else {
            throw SnapFileError(.corrupt, "bad superblock: bytes used \(bytesUsed) is smaller than the superblock")
        }
        guard bytesUsed <= fileSize else {
            throw SnapFileError(
                .corrupt, "truncated squashfs image: the superblock says \(bytesUsed) bytes, the file has \(fileSize)")
        }
        guard inodeCount > 0 else { throw SnapFileError(.corrupt, "bad superblock: no inodes") }
        guard idCount > 0 else { throw SnapFileError(.corrupt, "bad superblock: no uid/gid table entries") }
        let tables: [(String, UInt64)] = [
            ("inode table", inodeTableStart), ("directory table", directoryTableStart),
            ("id table", idTableStart),
        ]
        for (name, start) in tables where start < UInt64(Self.size) || start >= bytesUsed {
            throw SnapFileError(
                .corrupt, "bad superblock: \(name) offset \(start) is outside the image (\(bytesUsed) bytes)")
        }
        guard inodeTableStart < directoryTableStart else {
            throw SnapFileError(.corrupt, "bad superblock: the directory table starts before the inode table")
        }
        if fragmentCount > 0, fragmentTableStart >= bytesUsed {
            throw SnapFileError(
                .corrupt, "bad superblock: fragment table offset \(fragmentTableStart) is outside the image")
        }
    }

    init(blockSize: UInt32, compression: SquashfsCompression, modificationTime: UInt32) {
        self.inodeCount = 0
        self.modificationTime = modificationTime
        self.blockSize = blockSize
        self.fragmentCount = 0
        self.compression = compression
        self.flags = []
        self.idCount = 0
        self.rootInode = 0
        self.bytesUsed = 0
        self.idTableStart = 0
        self.xattrTableStart = Self.noTable
        self.inodeTableStart = 0
        self.directoryTableStart = 0
        self.fragmentTableStart = 0
        self.exportTableStart = Self.noTable
    }

    var serialized: [UInt8] {
        var writer = LittleEndianWriter()
        writer.u32(Self.magic)
        writer.u32(inodeCount)
        writer.u32(modificationTime)
        writer.u32(blockSize)
        writer.u32(fragmentCount)
        writer.u16(compression.rawValue)
        writer.u16(UInt16(blockSize.trailingZeroBitCount))
        writer.u16(flags.rawValue)
        writer.u16(idCount)
        writer.u16(4)
        writer.u16(0)
        for value in [
            rootInode, bytesUsed, idTableStart, xattrTableStart, inodeTableStart, directoryTableStart,
            fragmentTableStart, exportTableStart,
        ] {
            writer.u64(value)
        }
        return writer.bytes
    }
}
