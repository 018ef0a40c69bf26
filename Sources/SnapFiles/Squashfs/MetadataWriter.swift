/// Builds a squashfs metadata table: 8 KiB blocks, each compressed unless that does not save space.
/// The position of the next byte is known before its block is written, which is what inode and
/// directory references need.
struct MetadataWriter {
    private(set) var output: [UInt8] = []
    private var pending: [UInt8] = []
    let compress: (ArraySlice<UInt8>) throws(SnapFileError) -> [UInt8]

    init(compress: @escaping (ArraySlice<UInt8>) throws(SnapFileError) -> [UInt8]) {
        self.compress = compress
    }

    /// The block (offset from the table's start) and the offset in it where the next byte goes.
    var position: (block: UInt64, offset: Int) { (UInt64(output.count), pending.count) }

    /// A squashfs reference to the next byte: block in the high bits, offset in the low 16.
    var reference: UInt64 { position.block << 16 | UInt64(position.offset) }

    mutating func append(_ bytes: [UInt8]) throws(SnapFileError) {
        pending += bytes
        while pending.count >= MetadataReader.blockSize {
            try emit(pending[0..<MetadataReader.blockSize])
            pending.removeFirst(MetadataReader.blockSize)
        }
    }

    mutating func finish() throws(SnapFileError) -> [UInt8] {
        if !pending.isEmpty {
            try emit(pending[...])
            pending = []
        }
        return output
    }

    private mutating func emit(_ block: ArraySlice<UInt8>) throws(SnapFileError) {
        let compressed = try compress(block)
        if compressed.count < block.count {
            output += [UInt8(compressed.count & 0xff), UInt8(compressed.count >> 8)]
            output += compressed
        } else {
            output += [UInt8(block.count & 0xff), UInt8(block.count >> 8 | 0x80)]
            output += block
        }
    }
}
