import COpenSSL

/// The OpenSSL 3 plumbing shared by the key types: building keys from parameters, reading them back, PEM.
enum RSAKeyBuilder {
    static func build(selection: Int32, _ push: (OpaquePointer) -> Bool) throws -> OpaquePointer {
        guard let builder = OSSL_PARAM_BLD_new() else { throw CryptoError.openSSL("OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard push(builder), let params = OSSL_PARAM_BLD_to_param(builder) else {
            throw CryptoError.openSSL("RSA key parameters")
        }
        defer { OSSL_PARAM_free(params) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "RSA", nil) else {
            throw CryptoError.openSSL("EVP_PKEY_CTX_new_from_name")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_fromdata_init(context) == 1,
            EVP_PKEY_fromdata(context, &key, selection, params) == 1,
            let key
        else {
            throw CryptoError.openSSL("RSA key from parameters")
        }
        return key
    }

    static func bigNumber(_ key: OpaquePointer, _ name: String) throws -> [UInt8] {
        var raw: OpaquePointer?
        guard EVP_PKEY_get_bn_param(key, name, &raw) == 1, let raw else {
            throw CryptoError.openSSL("reading RSA parameter \(name)")
        }
        return BigNumber(owning: raw).bigEndianBytes
    }

    static func writePEM(_ write: (OpaquePointer) -> Int32) throws -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { throw CryptoError.openSSL("BIO_new") }
        defer { BIO_free(bio) }
        guard write(bio) == 1 else { throw CryptoError.openSSL("PEM encoding") }
        var pointer: UnsafeMutablePointer<CChar>?
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &pointer)
        guard let pointer, length > 0 else { throw CryptoError("empty PEM output") }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }
}
