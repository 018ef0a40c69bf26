import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a directory as a squashfs 4.0 image the way `snap pack` asks mksquashfs to: xz,
/// no fragments, every file owned by root, no extended attributes. The image appears at its
/// destination only once complete (written beside it, synced, renamed).
public struct SquashfsWriter {
    public var blockSize: Int = 128 * 1024
    /// The time the image and every file in it carry, as mksquashfs's `-mkfs-time` with
    /// `-all-time` (both set by `SOURCE_DATE_EPOCH`): the same tree then packs to the same bytes
    /// whenever and wherever it is packed. When nil, `SOURCE_DATE_EPOCH`; without it, the image
    /// carries the time it was packed and each file its own.
    public var fixedTime: UInt32?
    /// Called after each file's data is written, with bytes done and bytes in all.
    public var progress: ((UInt64, UInt64) -> Void)?

    public init() {}

    public struct Summary: Sendable {
        public let inodeCount: Int
        public let bytesUsed: UInt64
        public let fileSize: UInt64
    }

    public func write(directory source: String, to destination: String) throws(SnapFileError) -> Summary {
        guard blockSize >= 4096, blockSize <= 1 << 20, blockSize & (blockSize - 1) == 0 else {
            throw SnapFileError(.io, "block size must be a power of two between 4 KiB and 1 MiB")
        }
        let tree = try SourceTree(scanning: source)
        guard case .directory = tree.nodes[0].kind else {
            throw SnapFileError(.io, "\(source) is not a directory")
        }
        let temporary = destination + ".partial-\(getpid())"
        let output = try OutputFile(path: temporary)
        do {
            let summary = try write(tree, to: output)
            try output.finish(renamingTo: destination)
            return summary
        } catch {
            output.abandon()
            throw error
        }
    }

    private struct FileData {
        var start: UInt64 = 0
        var sizes: [UInt32] = []
        var size: UInt64 = 0
    }

    private func write(_ tree: SourceTree, to output: OutputFile) throws(SnapFileError) -> Summary {
        let nodes = tree.nodes
        let dictionary = UInt32(blockSize)
        let compress: (ArraySlice<UInt8>) throws(SnapFileError) -> [UInt8] = { (bytes) throws(SnapFileError) in
            try XZ.compress(bytes, dictionarySize: dictionary)
        }

        // Inode numbers in post-order: children before their directory, the root last.
        var numbers = [UInt32](repeating: 0, count: nodes.count)
        var next: UInt32 = 1
        func number(_ index: Int) {
            if case .directory(let children) = nodes[index].kind { children.forEach(number) }
            numbers[index] = next
            next += 1
        }
        number(0)

        try output.append([UInt8](repeating: 0, count: Superblock.size))
        var data = [Int: FileData]()
        let total = nodes.reduce(UInt64(0)) { sum, node in
            if case .file(_, let size) = node.kind { return sum + size }
            return sum
        }
        var done: UInt64 = 0
        for (index, node) in nodes.enumerated() {
            guard case .file(let path, let size) = node.kind else { continue }
            data[index] = try writeData(of: path, expectedSize: size, to: output, compress: compress)
            done += size
            progress?(done, total)
        }

        var inodes = MetadataWriter(compress: compress)
        var directories = MetadataWriter(compress: compress)
        func header(_ type: UInt16, _ index: Int) -> LittleEndianWriter {
            var writer = LittleEndianWriter()
            writer.u16(type)
            writer.u16(nodes[index].permissions)
            writer.u16(0)
            writer.u16(0)
            writer.u32(pinnedTime ?? nodes[index].modificationTime)
            writer.u32(numbers[index])
            return writer
        }
        func writeInode(_ index: Int, parent: UInt32) throws(SnapFileError) -> (reference: UInt64, type: UInt16) {
            switch nodes[index].kind {
            case .directory(let children):
                var entries: [(name: String, reference: UInt64, number: UInt32, type: UInt16)] = []
                var subdirectories: UInt32 = 0
                for child in children {
                    let written = try writeInode(child, parent: numbers[index])
                    if written.type == 1 { subdirectories += 1 }
                    entries.append((nodes[child].name, written.reference, numbers[child], written.type))
                }
                let listing = Self.listing(entries)
                let location = directories.position
                try directories.append(listing)
                let reference = inodes.reference
                let size = UInt32(listing.count + 3)
                if size <= 0xffff {
                    var writer = header(1, index)
                    writer.u32(UInt32(location.block))
                    writer.u32(2 + subdirectories)
                    writer.u16(UInt16(size))
                    writer.u16(UInt16(location.offset))
                    writer.u32(parent)
                    try inodes.append(writer.bytes)
                } else {
                    var writer = header(8, index)
                    writer.u32(2 + subdirectories)
                    writer.u32(size)
                    writer.u32(UInt32(location.block))
                    writer.u32(parent)
                    writer.u16(0)
                    writer.u16(UInt16(location.offset))
                    writer.u32(0xffff_ffff)
                    try inodes.append(writer.bytes)
                }
                return (reference, 1)
            case .file:
                let file = data[index] ?? FileData()
                let reference = inodes.reference
                if file.size <= UInt64(UInt32.max) && file.start <= UInt64(UInt32.max) {
                    var writer = header(2, index)
                    writer.u32(UInt32(file.start))
                    writer.u32(SquashfsInode.noFragment)
                    writer.u32(0)
                    writer.u32(UInt32(file.size))
                    file.sizes.forEach { writer.u32($0) }
                    try inodes.append(writer.bytes)
                } else {
                    var writer = header(9, index)
                    writer.u64(file.start)
                    writer.u64(file.size)
                    writer.u64(0)
                    writer.u32(1)
                    writer.u32(SquashfsInode.noFragment)
                    writer.u32(0)
                    writer.u32(0xffff_ffff)
                    file.sizes.forEach { writer.u32($0) }
                    try inodes.append(writer.bytes)
                }
                return (reference, 2)
            case .symlink(let target):
                let reference = inodes.reference
                var writer = header(3, index)
                writer.u32(1)
                writer.u32(UInt32(target.utf8.count))
                writer.bytes += Array(target.utf8)
                try inodes.append(writer.bytes)
                return (reference, 3)
            }
        }
        let root = try writeInode(0, parent: UInt32(nodes.count + 1))

        var superblock = Superblock(
            blockSize: UInt32(blockSize), compression: .xz,
            modificationTime: pinnedTime ?? UInt32(clamping: time(nil)))
        superblock.inodeCount = UInt32(nodes.count)
        superblock.rootInode = root.reference
        superblock.flags = [.noFragments, .noXattrs]
        superblock.inodeTableStart = output.position
        try output.append(try inodes.finish())
        superblock.directoryTableStart = output.position
        try output.append(try directories.finish())
        // No fragments: the (empty) fragment table sits where it would start.
        superblock.fragmentTableStart = output.position
        var ids = MetadataWriter(compress: compress)
        try ids.append([0, 0, 0, 0])
        let idBlock = output.position
        try output.append(try ids.finish())
        superblock.idCount = 1
        superblock.idTableStart = output.position
        var index = LittleEndianWriter()
        index.u64(idBlock)
        try output.append(index.bytes)
        superblock.bytesUsed = output.position
        let padding = Int((4096 - output.position % 4096) % 4096)
        try output.append([UInt8](repeating: 0, count: padding))
        try output.write(superblock.serialized, at: 0)
        return Summary(inodeCount: nodes.count, bytesUsed: superblock.bytesUsed, fileSize: output.position)
    }

    private func writeData(
        of path: String, expectedSize: UInt64, to output: OutputFile,
        compress: (ArraySlice<UInt8>) throws(SnapFileError) -> [UInt8]
    ) throws(SnapFileError) -> FileData {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw SnapFileError(.io, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var result = FileData(start: output.position)
        var buffer = [UInt8](repeating: 0, count: blockSize)
        while true {
            var filled = 0
            while filled < blockSize {
                let count: Int
                do {
                    count = try buffer.withUnsafeMutableBytes { raw in
                        try FileDescriptor(rawValue: descriptor).read(
                            into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
                    }
                } catch {
                    throw SnapFileError(.io, "cannot read \(path): \(error)")
                }
                if count == 0 { break }
                filled += count
            }
            if filled == 0 { break }
            let block = buffer[0..<filled]
            let compressed = try compress(block)
            if compressed.count < filled {
                try output.append(compressed)
                result.sizes.append(UInt32(compressed.count))
            } else {
                try output.append(Array(block))
                result.sizes.append(UInt32(filled) | SquashfsInode.uncompressedBit)
            }
            result.size += UInt64(filled)
            if filled < blockSize { break }
        }
        guard result.size == expectedSize else {
            throw SnapFileError(.io, "\(path) changed size while it was being packed")
        }
        return result
    }

    /// Directory entries grouped under headers; a new header starts when the inode block changes,
    /// after 256 entries, or when an inode number is too far from the header's base.
    static func listing(_ entries: [(name: String, reference: UInt64, number: UInt32, type: UInt16)]) -> [UInt8] {
        var writer = LittleEndianWriter()
        var index = 0
        while index < entries.count {
            let block = entries[index].reference >> 16
            let base = entries[index].number
            var end = index
            while end < entries.count, end - index < 256, entries[end].reference >> 16 == block,
                abs(Int64(entries[end].number) - Int64(base)) <= Int64(Int16.max)
            {
                end += 1
            }
            writer.u32(UInt32(end - index - 1))
            writer.u32(UInt32(block))
            writer.u32(base)
            for entry in entries[index..<end] {
                writer.u16(UInt16(entry.reference & 0xffff))
                writer.u16(UInt16(bitPattern: Int16(Int64(entry.number) - Int64(base))))
                writer.u16(entry.type)
                writer.u16(UInt16(entry.name.utf8.count - 1))
                writer.bytes += Array(entry.name.utf8)
            }
            index = end
        }
        return writer.bytes
    }

    /// `fixedTime`, else `SOURCE_DATE_EPOCH`'s.
    private var pinnedTime: UInt32? {
        if let fixedTime { return fixedTime }
        guard let epoch = getenv("SOURCE_DATE_EPOCH") else { return nil }
        return UInt32(String(cString: epoch))
    }
}
