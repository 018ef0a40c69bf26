import COpenSSL

/// Owns an OpenSSL BIGNUM for the duration of a key construction.
final class BigNumber {
    let pointer: OpaquePointer

    init() throws {
        guard let pointer = BN_new() else { throw CryptoError.openSSL("BN_new") }
        self.pointer = pointer
    }

    /// From big-endian unsigned bytes, as OpenPGP MPIs and RSA components are written.
    init(bigEndian bytes: [UInt8]) throws {
        guard let pointer = bytes.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, Int32($0.count), nil) }) else {
            throw CryptoError.openSSL("BN_bin2bn")
        }
        self.pointer = pointer
    }

    /// Takes ownership of a BIGNUM that OpenSSL allocated.
    init(owning pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        BN_clear_free(pointer)
    }

    var bigEndianBytes: [UInt8] {
        let count = Int(snapdepot_BN_num_bytes(pointer))
        var bytes = [UInt8](repeating: 0, count: count)
        _ = bytes.withUnsafeMutableBufferPointer { BN_bn2bin(pointer, $0.baseAddress) }
        return bytes
    }

    var bitCount: Int { Int(BN_num_bits(pointer)) }

    /// `self mod (other - 1)`, which the CRT exponents need.
    func modulo(oneLessThan other: BigNumber, context: OpaquePointer) throws -> BigNumber {
        let reduced = try BigNumber()
        guard BN_copy(reduced.pointer, other.pointer) != nil, BN_sub_word(reduced.pointer, 1) == 1 else {
            throw CryptoError.openSSL("BN_sub_word")
        }
        let result = try BigNumber()
        guard BN_div(nil, result.pointer, pointer, reduced.pointer, context) == 1 else {
            throw CryptoError.openSSL("BN_mod")
        }
        return result
    }

    func inverse(modulo modulus: BigNumber, context: OpaquePointer) throws -> BigNumber {
        guard let inverse = BN_mod_inverse(nil, pointer, modulus.pointer, context) else {
            throw CryptoError.openSSL("BN_mod_inverse")
        }
        return BigNumber(owning: inverse)
    }
}
