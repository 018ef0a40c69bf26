import COpenSSL

/// An RSA private key. Signing is RSASSA-PKCS1-v1_5, deterministic for the same key and digest.
public final class RSAPrivateKey: @unchecked Sendable {
    // An EVP_PKEY is immutable once built; OpenSSL 3 allows concurrent use of it with separate contexts.
    let key: OpaquePointer
    public let publicKey: RSAPublicKey

    init(owning key: OpaquePointer) throws {
        self.key = key
        let n = try RSAKeyBuilder.bigNumber(key, OSSL_PKEY_PARAM_RSA_N)
        let e = try RSAKeyBuilder.bigNumber(key, OSSL_PKEY_PARAM_RSA_E)
        self.publicKey = try RSAPublicKey(modulus: n, exponent: e)
    }

    deinit {
        EVP_PKEY_free(key)
    }

    /// Generates a new key. snapd uses 4096 bits; simulated devices may ask for fewer.
    public static func generate(bits: Int = 4096) throws -> RSAPrivateKey {
        guard (1024...16384).contains(bits) else {
            throw CryptoError("RSA key size must be between 1024 and 16384 bits, not \(bits)")
        }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "RSA", nil) else {
            throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1,
            EVP_PKEY_CTX_set_rsa_keygen_bits(context, Int32(bits)) == 1,
            EVP_PKEY_generate(context, &key) == 1,
            let key
        else {
            throw CryptoError.openSSL("RSA key generation")
        }
        return try RSAPrivateKey(owning: key)
    }

    /// Reads a PEM private key: PKCS#1 (`RSA PRIVATE KEY`) or unencrypted PKCS#8 (`PRIVATE KEY`).
    public convenience init(pem: String) throws {
        // The BIO reads the bytes in place, so everything happens while they are pinned.
        let key: OpaquePointer? = Array(pem.utf8).withUnsafeBufferPointer { buffer in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return PEM_read_bio_PrivateKey(bio, nil, nil, nil)
        }
        guard let key else {
            ERR_clear_error()
            throw CryptoError("not a PEM private key (expected an unencrypted PKCS#1 or PKCS#8 RSA key)")
        }
        guard EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA else {
            EVP_PKEY_free(key)
            throw CryptoError("not an RSA key")
        }
        try self.init(owning: key)
    }

    /// Builds a key from the components an OpenPGP secret-key packet carries; the CRT values are derived.
    public convenience init(
        modulus: [UInt8], publicExponent: [UInt8], privateExponent: [UInt8], prime1: [UInt8], prime2: [UInt8]
    ) throws {
        let n = try BigNumber(bigEndian: modulus)
        let e = try BigNumber(bigEndian: publicExponent)
        let d = try BigNumber(bigEndian: privateExponent)
        let p = try BigNumber(bigEndian: prime1)
        let q = try BigNumber(bigEndian: prime2)
        guard let context = BN_CTX_new() else { throw CryptoError.openSSL("BN_CTX_new") }
        defer { BN_CTX_free(context) }
        let dmp1 = try d.modulo(oneLessThan: p, context: context)
        let dmq1 = try d.modulo(oneLessThan: q, context: context)
        let iqmp = try q.inverse(modulo: p, context: context)
        let key = try RSAKeyBuilder.build(selection: snapdepot_EVP_PKEY_KEYPAIR) { builder in
            OSSL_PARAM_BLD_push_BN(builder, snapdepot_RSA_N, n.pointer) == 1
                && OSSL_PARAM_BLD_push_BN(builder, snapdepot_RSA_E, e.pointer) == 1
                && OSSL_PARAM_BLD_push_BN(builder, snapdepot_RSA_D, d.pointer) == 1
                && OSSL_PARAM_BLD_push_BN(builder, snapdepot_RSA_FACTOR1, p.pointer) == 1
                && OSSL_PARAM_BLD_push_BN(builder, snapdepot_RSA_FACTOR2, q.pointer) == 1
                && OSSL_PARAM_BLD_push_BN(builder, snapdepot_RSA_EXPONENT1, dmp1.pointer) == 1
                && OSSL_PARAM_BLD_push_BN(builder, snapdepot_RSA_EXPONENT2, dmq1.pointer) == 1
                && OSSL_PARAM_BLD_push_BN(builder, snapdepot_RSA_COEFFICIENT1, iqmp.pointer) == 1
        }
        try self.init(owning: key)
        try checkConsistency()
    }

    public var bitCount: Int { publicKey.bitCount }

    /// Signs an already computed digest with RSASSA-PKCS1-v1_5 (the DigestInfo of `algorithm`).
    public func signature(forDigest digest: [UInt8], algorithm: DigestAlgorithm) throws -> [UInt8] {
        guard digest.count == algorithm.byteCount else {
            throw CryptoError("digest has \(digest.count) bytes, \(algorithm) needs \(algorithm.byteCount)")
        }
        guard let context = EVP_PKEY_CTX_new(key, nil) else { throw CryptoError.openSSL("EVP_PKEY_CTX_new") }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_sign_init(context) == 1,
            EVP_PKEY_CTX_set_rsa_padding(context, RSA_PKCS1_PADDING) == 1,
            EVP_PKEY_CTX_set_signature_md(context, algorithm.evp) == 1
        else {
            throw CryptoError.openSSL("RSA sign setup")
        }
        var length = 0
        guard EVP_PKEY_sign(context, nil, &length, digest, digest.count) == 1 else {
            throw CryptoError.openSSL("RSA sign")
        }
        var output = [UInt8](repeating: 0, count: length)
        guard EVP_PKEY_sign(context, &output, &length, digest, digest.count) == 1 else {
            throw CryptoError.openSSL("RSA sign")
        }
        return Array(output.prefix(length))
    }

    /// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), unencrypted: callers store it with mode 0600.
    public func pem() throws -> String {
        try RSAKeyBuilder.writePEM { PEM_write_bio_PrivateKey($0, key, nil, nil, 0, nil, nil) }
    }

    private func checkConsistency() throws {
        guard let context = EVP_PKEY_CTX_new(key, nil) else { throw CryptoError.openSSL("EVP_PKEY_CTX_new") }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_private_check(context) == 1, EVP_PKEY_pairwise_check(context) == 1 else {
            throw CryptoError.openSSL("inconsistent RSA private key")
        }
    }
}
