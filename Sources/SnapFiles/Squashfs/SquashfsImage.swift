/// A squashfs 4.0 image opened for reading: list any directory, stat any path, read any file.
/// Every offset and size is checked, so a damaged image gives an error, never a crash.
public final class SquashfsImage {
    public let superblock: Superblock
    let file: ImageFile
    var metadata: MetadataReader
    private var ids: [UInt32]?

    public convenience init(path: String) throws(SnapFileError) {
        try self.init(file: try ImageFile(path: path))
    }

    init(file: ImageFile) throws(SnapFileError) {
        let header = try file.read(at: 0, count: Int(min(UInt64(Superblock.size), file.size)))
        superblock = try Superblock(header, fileSize: file.size)
        self.file = file
        metadata = MetadataReader(file: file, compression: superblock.compression, end: superblock.bytesUsed)
    }

    /// The largest file an image may declare (1 TiB): far beyond any snap, far below what would
    /// overflow the arithmetic on it.
    public static let maxFileSize: UInt64 = 1 << 40

    public var compression: SquashfsCompression { superblock.compression }
    public var blockSize: Int { Int(superblock.blockSize) }

    public func root() throws(SnapFileError) -> SquashfsInode {
        let root = try inode(at: superblock.rootInode)
        guard root.kind == .directory else { throw SnapFileError(.corrupt, "the root inode is not a directory") }
        return root
    }

    /// The inode at a slash-separated path relative to the root; symlinks are not followed.
    public func inode(atPath path: String) throws(SnapFileError) -> SquashfsInode {
        var current = try root()
        for component in path.split(separator: "/") where component != "." {
            guard current.kind == .directory else {
                throw SnapFileError(.notFound, "\(path): a component is not a directory")
            }
            guard let entry = try listing(of: current).first(where: { $0.name == component }) else {
                throw SnapFileError(.notFound, "\(path) is not in the image")
            }
            current = try inode(at: entry.inodeReference)
        }
        return current
    }

    /// The names in a directory, with their inodes, in the image's order.
    public func contents(ofDirectory path: String) throws(SnapFileError) -> [(name: String, inode: SquashfsInode)] {
        let directory = try inode(atPath: path)
        guard directory.kind == .directory else { throw SnapFileError(.notFound, "\(path) is not a directory") }
        var result: [(name: String, inode: SquashfsInode)] = []
        for entry in try listing(of: directory) {
            result.append((entry.name, try inode(at: entry.inodeReference)))
        }
        return result
    }

    /// Every path in the image (directories before their contents), with its inode.
    public func walk(_ visit: (String, SquashfsInode) throws -> Void) throws {
        var visited: Set<UInt32> = []
        func descend(_ directory: SquashfsInode, _ prefix: String, depth: Int) throws {
            guard depth < 256 else { throw SnapFileError(.corrupt, "directories nested deeper than 256 levels") }
            guard visited.insert(directory.number).inserted else {
                throw SnapFileError(.corrupt, "directory inode \(directory.number) appears twice (a loop)")
            }
            for entry in try listing(of: directory) {
                let node = try inode(at: entry.inodeReference)
                let path = prefix.isEmpty ? entry.name : "\(prefix)/\(entry.name)"
                try visit(path, node)
                if node.kind == .directory { try descend(node, path, depth: depth + 1) }
            }
        }
        try descend(try root(), "", depth: 0)
    }

    /// Reads a whole file, refusing files larger than `limit` bytes.
    public func readFile(atPath path: String, limit: Int = 16 << 20) throws(SnapFileError) -> [UInt8] {
        let node = try inode(atPath: path)
        guard node.kind == .file else { throw SnapFileError(.notFound, "\(path) is not a regular file") }
        guard node.size <= UInt64(limit) else {
            throw SnapFileError(.corrupt, "\(path) is \(node.size) bytes, more than the \(limit) allowed")
        }
        var result: [UInt8] = []
        result.reserveCapacity(Int(node.size))
        try forEachBlock(of: node) { (chunk) throws(SnapFileError) in result += chunk }
        return result
    }

    /// Streams a file's contents block by block.
    public func forEachBlock(of node: SquashfsInode, _ body: (ArraySlice<UInt8>) throws(SnapFileError) -> Void)
        throws(SnapFileError)
    {
        guard node.kind == .file else { throw SnapFileError(.notFound, "inode \(node.number) is not a regular file") }
        let blockSize = UInt64(superblock.blockSize)
        var position = node.blocksStart
        var remaining = node.size
        var list = InodeCursor(image: self, at: node.blockList)
        var listed = 0
        while listed < node.blockCount {
            let batch = min(node.blockCount - listed, 1024)
            var sizes = LittleEndianReader(try list.read(batch * 4), what: "block list of inode \(node.number)")
            listed += batch
            for _ in 0..<batch {
                let entry = try sizes.u32()
                guard remaining > 0 else {
                    throw SnapFileError(.corrupt, "file inode \(node.number) lists more blocks than its size needs")
                }
                let expected = Int(min(blockSize, remaining))
                let stored = Int(entry & ~SquashfsInode.uncompressedBit)
                if stored == 0 {
                    try body([UInt8](repeating: 0, count: expected)[...])
                } else {
                    guard stored <= Int(blockSize) else {
                        throw SnapFileError(.corrupt, "data block of \(stored) bytes is larger than the block size")
                    }
                    let raw = try file.read(at: position, count: stored, limit: superblock.bytesUsed)
                    let data: [UInt8]
                    if entry & SquashfsInode.uncompressedBit != 0 {
                        data = raw
                    } else {
                        do {
                            data = try superblock.compression.decompress(raw[...], limit: Int(blockSize))
                        } catch {
                            throw SnapFileError(error.kind, "data block at offset \(position): \(error.message)")
                        }
                    }
                    guard data.count >= expected else {
                        throw SnapFileError(
                            .corrupt, "data block at offset \(position) holds \(data.count) bytes, expected \(expected)"
                        )
                    }
                    try body(data[0..<expected])
                    position += UInt64(stored)
                }
                remaining -= UInt64(expected)
            }
        }
        if remaining > 0 {
            guard node.fragment != SquashfsInode.noFragment else {
                throw SnapFileError(.corrupt, "file inode \(node.number) is missing \(remaining) bytes")
            }
            let fragment = try fragmentBlock(node.fragment)
            let start = Int(node.fragmentOffset)
            guard start <= fragment.count, Int(remaining) <= fragment.count - start else {
                throw SnapFileError(.corrupt, "file inode \(node.number) tail lies outside its fragment")
            }
            try body(fragment[start..<(start + Int(remaining))])
        }
    }

    /// A decompressed fragment block, found through the fragment table's two levels.
    private func fragmentBlock(_ index: UInt32) throws(SnapFileError) -> [UInt8] {
        guard index < superblock.fragmentCount else {
            throw SnapFileError(.corrupt, "fragment \(index) is beyond the \(superblock.fragmentCount) in the table")
        }
        var entry = LittleEndianReader(
            try tableEntry(start: superblock.fragmentTableStart, index: Int(index), entrySize: 16),
            what: "fragment entry")
        let start = try entry.u64()
        let size = try entry.u32()
        let stored = Int(size & ~SquashfsInode.uncompressedBit)
        guard stored > 0, stored <= blockSize else {
            throw SnapFileError(.corrupt, "fragment \(index) has an impossible size \(stored)")
        }
        let raw = try file.read(at: start, count: stored, limit: superblock.bytesUsed)
        if size & SquashfsInode.uncompressedBit != 0 { return raw }
        return try superblock.compression.decompress(raw[...], limit: blockSize)
    }

    /// An entry of a table stored as metadata blocks listed by an array of 64-bit block offsets.
    private func tableEntry(start: UInt64, index: Int, entrySize: Int) throws(SnapFileError) -> [UInt8] {
        let perBlock = MetadataReader.blockSize / entrySize
        var pointer = LittleEndianReader(
            try file.read(at: start + UInt64(index / perBlock) * 8, count: 8, limit: superblock.bytesUsed),
            what: "table index")
        let block = try pointer.u64()
        return try metadata.read(
            blockStart: block, offset: (index % perBlock) * entrySize, count: entrySize, tableEnd: superblock.bytesUsed
        ).bytes
    }

    /// A uid or gid from the id table.
    func id(at index: Int) throws(SnapFileError) -> UInt32 {
        guard index < Int(superblock.idCount) else {
            throw SnapFileError(.corrupt, "uid/gid index \(index) is beyond the \(superblock.idCount) in the table")
        }
        if ids == nil {
            var loaded: [UInt32] = []
            for position in 0..<Int(superblock.idCount) {
                var reader = LittleEndianReader(
                    try tableEntry(start: superblock.idTableStart, index: position, entrySize: 4), what: "id table")
                loaded.append(try reader.u32())
            }
            ids = loaded
        }
        return ids?[index] ?? 0
    }
}
