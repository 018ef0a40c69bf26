import DepotCrypto

/// An RSA public key as assertions carry it: the account-key body or a serial's `device-key`,
/// identified by the base64url SHA3-384 of its encoded OpenPGP packet (`asserts/crypto.go`).
public struct PublicKey: Sendable, Hashable, CustomStringConvertible {
    public let rsa: RSAPublicKey
    /// The key id, as in `sign-key-sha3-384` and `public-key-sha3-384`.
    public let id: String
    /// The `encodeV1` text: base64 of 0x01 and the public-key packet, in 76-column lines.
    public let encoded: String

    public init(rsa: RSAPublicKey) {
        self.rsa = rsa
        let packet = PublicKeyPacket(modulus: rsa.modulus, exponent: rsa.exponent).serialized()
        self.id = Base64.urlEncoded(Digest.sha3_384([0x01] + packet))
        self.encoded = EncodedV1.encode(packet)
    }

    /// Decodes an encoded key (snapd's `DecodePublicKey`); the id is derived from the modulus and
    /// exponent alone, whatever creation time the packet carried.
    public init(encoded: [UInt8]) throws(AssertionError) {
        let (tag, body) = try EncodedV1.decode(encoded, kind: "public key")
        guard tag == OpenPGPPacket.Tag.publicKey.rawValue else {
            throw AssertionError(.format, "expected public key, got instead: packet type \(tag)")
        }
        var rest = body
        let packet = try PublicKeyPacket(parsing: &rest)
        guard rest.isEmpty else {
            throw AssertionError(.format, "cannot decode public key: spurious data in key packet")
        }
        do {
            self.init(rsa: try RSAPublicKey(modulus: packet.modulus, exponent: packet.exponent))
        } catch {
            throw AssertionError(.format, "cannot decode public key: \(error)")
        }
    }

    public init(encoded text: String) throws(AssertionError) {
        try self.init(encoded: Array(text.utf8))
    }

    public static func == (left: PublicKey, right: PublicKey) -> Bool { left.id == right.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
    public var description: String { id }
    public var bitCount: Int { rsa.bitCount }

    /// Checks an encoded signature over `content`, as snapd's `openpgpPubKey.verify` does.
    public func verify(content: [UInt8], signature encodedSignature: [UInt8]) throws(AssertionError) {
        let packet = try SignaturePacket.decode(encodedSignature)
        guard let algorithm = packet.digestAlgorithm else {
            throw AssertionError(.signature, "openpgp: unsupported feature: hash function \(packet.hashAlgorithm)")
        }
        let digest = Digest.hash(algorithm, content + packet.hashSuffix)
        guard Array(digest.prefix(2)) == packet.hashTag else {
            throw AssertionError(
                .signature, "failed signature verification: openpgp: invalid signature: hash tag doesn't match")
        }
        guard rsa.isValidSignature(packet.signature, digest: digest, algorithm: algorithm) else {
            throw AssertionError(
                .signature, "failed signature verification: openpgp: invalid signature: RSA verification failure")
        }
    }
}

extension SignaturePacket {
    /// Decodes an assertion's signature block (snapd's `decodeSignature`).
    static func decode(_ encoded: [UInt8]) throws(AssertionError) -> SignaturePacket {
        var text = encoded
        while text.last == 0x0a { text.removeLast() }
        let (tag, body) = try EncodedV1.decode(text, kind: "signature")
        guard tag == OpenPGPPacket.Tag.signature.rawValue else {
            throw AssertionError(.signature, "expected signature, got instead: packet type \(tag)")
        }
        return try SignaturePacket(body: body)
    }

    var digestAlgorithm: DigestAlgorithm? {
        switch hashAlgorithm {
        case 8: .sha256
        case 9: .sha384
        case 10: .sha512
        default: nil
        }
    }
}

extension Assertion {
    /// The creation time in the OpenPGP signature: what the signer was told, or the moment it signed.
    public var signingTime: Timestamp? {
        guard let packet = try? SignaturePacket.decode(signature) else { return nil }
        return Timestamp(seconds: Int64(packet.creationTime))
    }
}
