import CZlib

/// zlib streams, as squashfs's gzip compressor stores each block.
enum Zlib {
    static func decompress(_ input: ArraySlice<UInt8>, limit: Int) throws(SnapFileError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: limit)
        var outputLength = uLongf(limit)
        var inputLength = uLong(input.count)
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                uncompress2(destination.baseAddress, &outputLength, source.baseAddress, &inputLength)
            }
        }
        guard status == Z_OK else {
            let reason =
                switch status {
                case Z_BUF_ERROR: "output larger than \(limit) bytes or input truncated"
                case Z_DATA_ERROR: "corrupt data"
                case Z_MEM_ERROR: "out of memory"
                default: "zlib error \(status)"
                }
            throw SnapFileError(.decompression, "gzip decompression failed: \(reason)")
        }
        return Array(output.prefix(Int(outputLength)))
    }
}
