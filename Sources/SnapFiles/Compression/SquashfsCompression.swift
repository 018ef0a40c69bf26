/// The compressors squashfs 4.0 names in its superblock. snapdepot reads gzip and xz (what
/// `snap pack` and snapcraft write) and writes xz.
public enum SquashfsCompression: UInt16, Sendable, CustomStringConvertible {
    case gzip = 1
    case lzma = 2
    case lzo = 3
    case xz = 4
    case lz4 = 5
    case zstd = 6

    public var description: String {
        switch self {
        case .gzip: "gzip"
        case .lzma: "lzma"
        case .lzo: "lzo"
        case .xz: "xz"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }

    var isSupported: Bool { self == .gzip || self == .xz }

    /// Decompresses one block, refusing output larger than `limit` (a metadata block or a data block).
    func decompress(_ input: ArraySlice<UInt8>, limit: Int) throws(SnapFileError) -> [UInt8] {
        switch self {
        case .gzip: try Zlib.decompress(input, limit: limit)
        case .xz: try XZ.decompress(input, limit: limit)
        default: throw SnapFileError(.unsupportedCompression, "unsupported compression: \(self)")
        }
    }
}
