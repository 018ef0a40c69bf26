import CLZMA

/// xz streams through liblzma, as squashfs's xz compressor stores each block.
enum XZ {
    static func decompress(_ input: ArraySlice<UInt8>, limit: Int) throws(SnapFileError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: limit)
        var inputPosition = 0
        var outputPosition = 0
        var memoryLimit: UInt64 = 64 << 20
        let status = input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { destination in
                lzma_stream_buffer_decode(
                    &memoryLimit, 0, nil, source.baseAddress, &inputPosition, source.count,
                    destination.baseAddress, &outputPosition, destination.count)
            }
        }
        guard status == LZMA_OK else {
            let reason =
                switch status {
                case LZMA_BUF_ERROR: "output larger than \(limit) bytes or input truncated"
                case LZMA_DATA_ERROR: "corrupt data"
                case LZMA_FORMAT_ERROR: "not an xz stream"
                case LZMA_MEMLIMIT_ERROR: "needs more than 64 MiB to decompress"
                case LZMA_OPTIONS_ERROR: "unsupported xz options"
                default: "liblzma error \(status.rawValue)"
                }
            throw SnapFileError(.decompression, "xz decompression failed: \(reason)")
        }
        return Array(output.prefix(outputPosition))
    }

    /// Compresses one block the way mksquashfs's xz compressor does: LZMA2 at the default preset
    /// with the dictionary no larger than the block (the kernel's decoder sizes its buffer from
    /// the block size) and a CRC32 check (the only kind the kernel verifies).
    static func compress(_ input: ArraySlice<UInt8>, dictionarySize: UInt32) throws(SnapFileError) -> [UInt8] {
        var options = lzma_options_lzma()
        guard lzma_lzma_preset(&options, UInt32(6)) == 0 else {
            throw SnapFileError(.decompression, "liblzma cannot load its default preset")
        }
        options.dict_size = max(4096, min(options.dict_size, dictionarySize))
        let bound = lzma_stream_buffer_bound(input.count)
        var output = [UInt8](repeating: 0, count: bound)
        var outputPosition = 0
        let status = withUnsafeMutablePointer(to: &options) { optionsPointer in
            var filters = [
                lzma_filter(id: snapdepot_LZMA_FILTER_LZMA2, options: UnsafeMutableRawPointer(optionsPointer)),
                lzma_filter(id: snapdepot_LZMA_VLI_UNKNOWN, options: nil),
            ]
            return input.withUnsafeBufferPointer { source in
                output.withUnsafeMutableBufferPointer { destination in
                    lzma_stream_buffer_encode(
                        &filters, LZMA_CHECK_CRC32, nil, source.baseAddress, source.count, destination.baseAddress,
                        &outputPosition, destination.count)
                }
            }
        }
        guard status == LZMA_OK else {
            throw SnapFileError(.decompression, "xz compression failed: liblzma error \(status.rawValue)")
        }
        return Array(output.prefix(outputPosition))
    }
}
