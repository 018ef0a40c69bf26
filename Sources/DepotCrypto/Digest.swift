import COpenSSL

/// The hash functions snapd's formats use: SHA3-384 for snap files and key ids, SHA-512 for signatures.
public enum DigestAlgorithm: Sendable {
    case sha3_384
    case sha512
    /// Older OpenPGP signers use these; snapd's verifier accepts them.
    case sha256
    case sha384

    var evp: OpaquePointer? {
        switch self {
        case .sha3_384: EVP_sha3_384()
        case .sha512: EVP_sha512()
        case .sha256: EVP_sha256()
        case .sha384: EVP_sha384()
        }
    }

    public var byteCount: Int {
        switch self {
        case .sha3_384: 48
        case .sha512: 64
        case .sha256: 32
        case .sha384: 48
        }
    }
}

/// An incremental hash, so that files are hashed in the same pass that reads or stores them.
public final class DigestStream {
    private let context: OpaquePointer
    public let algorithm: DigestAlgorithm
    public private(set) var byteCount: UInt64 = 0

    public init(_ algorithm: DigestAlgorithm) {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, algorithm.evp, nil) == 1 else {
            // Allocation or a missing built-in digest means the process cannot do anything useful.
            fatalError("OpenSSL cannot initialise \(algorithm)")
        }
        self.context = context
        self.algorithm = algorithm
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context, base, bytes.count)
        byteCount += UInt64(bytes.count)
    }

    public func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// Returns the digest; the stream must not be used afterwards.
    public func finalize() -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.byteCount)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &output, &length)
        return Array(output.prefix(Int(length)))
    }
}

public enum Digest {
    public static func hash<Bytes: Sequence>(_ algorithm: DigestAlgorithm, _ bytes: Bytes) -> [UInt8]
    where Bytes.Element == UInt8 {
        let stream = DigestStream(algorithm)
        stream.update(bytes)
        return stream.finalize()
    }

    public static func sha3_384<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        hash(.sha3_384, bytes)
    }

    public static func sha512<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        hash(.sha512, bytes)
    }
}
