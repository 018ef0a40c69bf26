/// Reads squashfs metadata blocks (at most 8 KiB each, compressed or not, with a 2-byte header)
/// and byte ranges that run across them.
struct MetadataReader {
    static let blockSize = 8192

    let file: ImageFile
    let compression: SquashfsCompression
    /// The end of the image's used bytes; nothing is read past it.
    let end: UInt64
    private var cache: [UInt64: (bytes: [UInt8], next: UInt64)] = [:]

    init(file: ImageFile, compression: SquashfsCompression, end: UInt64) {
        self.file = file
        self.compression = compression
        self.end = end
    }

    /// The uncompressed block at `offset` and the offset of the block after it.
    mutating func block(at offset: UInt64) throws(SnapFileError) -> (bytes: [UInt8], next: UInt64) {
        if let cached = cache[offset] { return cached }
        let header = try file.read(at: offset, count: 2, limit: end)
        let word = UInt16(header[0]) | UInt16(header[1]) << 8
        let compressed = word & 0x8000 == 0
        let length = Int(word & 0x7fff)
        guard length > 0, length <= Self.blockSize else {
            throw SnapFileError(.corrupt, "metadata block at offset \(offset) has an impossible length \(length)")
        }
        let raw = try file.read(at: offset + 2, count: length, limit: end)
        let bytes: [UInt8]
        if compressed {
            do {
                bytes = try compression.decompress(raw[...], limit: Self.blockSize)
            } catch {
                throw SnapFileError(error.kind, "metadata block at offset \(offset): \(error.message)")
            }
        } else {
            bytes = raw
        }
        let result = (bytes, offset + 2 + UInt64(length))
        if cache.count > 4096 { cache.removeAll(keepingCapacity: true) }
        cache[offset] = result
        return result
    }

    /// Reads `count` bytes starting `offset` bytes into the block at `blockStart`, following blocks
    /// as needed but never past `tableEnd`.
    mutating func read(blockStart: UInt64, offset: Int, count: Int, tableEnd: UInt64) throws(SnapFileError)
        -> (bytes: [UInt8], blockStart: UInt64, offset: Int)
    {
        var result: [UInt8] = []
        result.reserveCapacity(min(count, 1 << 16))
        var start = blockStart
        var position = offset
        while true {
            guard start < tableEnd else {
                throw SnapFileError(.corrupt, "metadata read runs past the end of its table at offset \(tableEnd)")
            }
            let (bytes, next) = try block(at: start)
            guard position <= bytes.count else {
                throw SnapFileError(.corrupt, "offset \(position) is outside the metadata block at \(start)")
            }
            let available = bytes.count - position
            let wanted = count - result.count
            if wanted <= available {
                result += bytes[position..<(position + wanted)]
                if wanted == available {
                    return (result, next, 0)
                }
                return (result, start, position + wanted)
            }
            result += bytes[position...]
            start = next
            position = 0
        }
    }
}
