import COpenSSL

/// An RSA public key, as carried in OpenPGP public-key packets (modulus and exponent).
public final class RSAPublicKey: @unchecked Sendable {
    // An EVP_PKEY is immutable once built; OpenSSL 3 allows concurrent use of it with separate contexts.
    let key: OpaquePointer

    init(owning key: OpaquePointer) {
        self.key = key
    }

    deinit {
        EVP_PKEY_free(key)
    }

    public convenience init(modulus: [UInt8], exponent: [UInt8]) throws {
        let n = try BigNumber(bigEndian: modulus)
        let e = try BigNumber(bigEndian: exponent)
        guard n.bitCount >= 512 else { throw CryptoError("RSA modulus of \(n.bitCount) bits is too small") }
        guard e.bitCount >= 2 else { throw CryptoError("RSA exponent is invalid") }
        let key = try RSAKeyBuilder.build(selection: snapdepot_EVP_PKEY_PUBLIC_KEY) { builder in
            OSSL_PARAM_BLD_push_BN(builder, snapdepot_RSA_N, n.pointer) == 1
                && OSSL_PARAM_BLD_push_BN(builder, snapdepot_RSA_E, e.pointer) == 1
        }
        self.init(owning: key)
    }

    public var modulus: [UInt8] { (try? RSAKeyBuilder.bigNumber(key, OSSL_PKEY_PARAM_RSA_N)) ?? [] }
    public var exponent: [UInt8] { (try? RSAKeyBuilder.bigNumber(key, OSSL_PKEY_PARAM_RSA_E)) ?? [] }
    public var bitCount: Int { Int(EVP_PKEY_get_bits(key)) }

    /// Checks an RSASSA-PKCS1-v1_5 signature over an already computed digest.
    public func isValidSignature(_ signature: [UInt8], digest: [UInt8], algorithm: DigestAlgorithm) -> Bool {
        guard let context = EVP_PKEY_CTX_new(key, nil) else { return false }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_verify_init(context) == 1,
            EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1,
            EVP_PKEY_CTX_set_signature_md(context, algorithm.evp) == 1
        else {
            ERR_clear_error()
            return false
        }
        // OpenPGP MPIs drop leading zero bytes; RSA wants the signature as long as the modulus.
        let size = (bitCount + 7) / 8
        guard signature.count <= size else { return false }
        let padded = [UInt8](repeating: 0, count: size - signature.count) + signature
        let status = EVP_PKEY_verify(context, padded, padded.count, digest, digest.count)
        ERR_clear_error()
        return status == 1
    }

    /// SubjectPublicKeyInfo PEM, for interoperability with other tools.
    public func pem() throws -> String {
        try RSAKeyBuilder.writePEM { PEM_write_bio_PUBKEY($0, key) }
    }
}
