import DepotCrypto

/// An RSA private key that signs assertions the way snapd's `openpgpPrivateKey.sign` does.
public struct PrivateKey: Sendable {
    public let rsa: RSAPrivateKey
    public let publicKey: PublicKey

    public init(rsa: RSAPrivateKey) {
        self.rsa = rsa
        self.publicKey = PublicKey(rsa: rsa.publicKey)
    }

    /// A new key; 4096 bits as snapd makes them, fewer for cheap simulated devices.
    public static func generate(bits: Int = 4096) throws -> PrivateKey {
        PrivateKey(rsa: try RSAPrivateKey.generate(bits: bits))
    }

    public var id: String { publicKey.id }

    /// Reads a key in any of the forms snapdepot accepts: PEM (PKCS#1 or PKCS#8), an armored
    /// OpenPGP private key block (GnuPG export, snapd's `asserts/systestkeys`), or snapd's own
    /// `encodeV1` private key text (its file key-pair manager's format).
    public init(importing text: String) throws(AssertionError) {
        let trimmed = text.trimmingASCIIWhitespace()
        if trimmed.hasPrefix("-----BEGIN PGP PRIVATE KEY") {
            let (_, bytes) = try Armor.decode(trimmed)
            try self.init(secretKeyPacket: bytes[...])
        } else if trimmed.hasPrefix("-----BEGIN") {
            do {
                self.init(rsa: try RSAPrivateKey(pem: trimmed))
            } catch {
                throw AssertionError(.format, "cannot read PEM private key: \(error)")
            }
        } else {
            let (tag, body) = try EncodedV1.decode(Array(trimmed.utf8), kind: "private key")
            guard tag == OpenPGPPacket.Tag.secretKey.rawValue else {
                throw AssertionError(.format, "expected private key, got instead: packet type \(tag)")
            }
            try self.init(secretKeyPacketBody: body)
        }
    }

    private init(secretKeyPacket bytes: ArraySlice<UInt8>) throws(AssertionError) {
        let (tag, body, _) = try OpenPGPPacket.read(bytes)
        guard tag == OpenPGPPacket.Tag.secretKey.rawValue else {
            throw AssertionError(.format, "the armored block does not start with a secret key packet (type \(tag))")
        }
        try self.init(secretKeyPacketBody: body)
    }

    private init(secretKeyPacketBody body: ArraySlice<UInt8>) throws(AssertionError) {
        let packet = try SecretKeyPacket(body: body)
        do {
            let rsa = try RSAPrivateKey(
                modulus: packet.publicKey.modulus, publicExponent: packet.publicKey.exponent,
                privateExponent: packet.privateExponent, prime1: packet.prime1, prime2: packet.prime2)
            self.init(rsa: rsa)
        } catch {
            throw AssertionError(.format, "the OpenPGP private key is not a consistent RSA key: \(error)")
        }
    }

    /// PKCS#8 PEM; whoever writes it to disk must make the file 0600.
    public func pem() throws -> String {
        try rsa.pem()
    }

    /// The encoded signature block for `content`: a v4 OpenPGP packet, RSA PKCS#1 v1.5 over SHA-512,
    /// with `creationTime` as its only hashed subpacket. The same key, content and time give the same bytes.
    public func signature(for content: [UInt8], creationTime: UInt32) throws -> String {
        let packet = try SignaturePacket.make(creationTime: creationTime) { suffix in
            let digest = Digest.sha512(content + suffix)
            return (Array(digest.prefix(2)), try rsa.signature(forDigest: digest, algorithm: .sha512))
        }
        return EncodedV1.encode(packet.serialized())
    }
}

extension String {
    func trimmingASCIIWhitespace() -> String {
        let bytes = Array(utf8)
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }
        guard let start = bytes.firstIndex(where: { !isSpace($0) }),
            let end = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(decoding: bytes[start...end], as: UTF8.self)
    }
}
