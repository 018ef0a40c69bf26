/// An OpenPGP v4 RSA public-key packet (RFC 4880 §5.5.2).
struct PublicKeyPacket: Sendable {
    /// snapd writes every key with this creation time, 2016-01-01T00:00:00Z, so that the key id
    /// depends on the modulus and exponent alone (`asserts/crypto.go` `v1FixedTimestamp`).
    static let fixedCreationTime: UInt32 = 0x5685_C180

    let creationTime: UInt32
    let algorithm: UInt8
    let modulus: [UInt8]
    let exponent: [UInt8]

    init(modulus: [UInt8], exponent: [UInt8], creationTime: UInt32 = fixedCreationTime) {
        self.creationTime = creationTime
        self.algorithm = 1
        self.modulus = Array(modulus.drop { $0 == 0 })
        self.exponent = Array(exponent.drop { $0 == 0 })
    }

    /// Parses the public part of a key packet; `rest` is left at what follows (secret material).
    init(parsing rest: inout ArraySlice<UInt8>) throws(AssertionError) {
        guard rest.count >= 6 else { throw OpenPGPPacket.packetError("public key packet truncated") }
        let start = rest.startIndex
        guard rest[start] == 4 else {
            throw AssertionError(.format, "openpgp: unsupported feature: public key version \(rest[start])")
        }
        creationTime = rest[(start + 1)...(start + 4)].reduce(0) { $0 << 8 | UInt32($1) }
        algorithm = rest[start + 5]
        rest = rest.dropFirst(6)
        guard [1, 2, 3].contains(algorithm) else {
            throw AssertionError(.format, "expected RSA public key, got algorithm \(algorithm)")
        }
        modulus = try OpenPGPPacket.readMPI(&rest)
        exponent = try OpenPGPPacket.readMPI(&rest)
    }

    var body: [UInt8] {
        [4] + SignaturePacket.bigEndian(creationTime) + [algorithm] + OpenPGPPacket.mpi(modulus)
            + OpenPGPPacket.mpi(exponent)
    }

    func serialized() -> [UInt8] {
        let body = body
        return OpenPGPPacket.header(tag: .publicKey, length: body.count) + body
    }
}

/// An unprotected OpenPGP v4 RSA secret-key packet (RFC 4880 §5.5.3), as GnuPG exports and as
/// snapd's `asserts/systestkeys` carries its test root keys.
struct SecretKeyPacket {
    let publicKey: PublicKeyPacket
    let privateExponent: [UInt8]
    let prime1: [UInt8]
    let prime2: [UInt8]

    init(body: ArraySlice<UInt8>) throws(AssertionError) {
        var rest = body
        publicKey = try PublicKeyPacket(parsing: &rest)
        guard let usage = rest.first else { throw OpenPGPPacket.packetError("secret key packet truncated") }
        guard usage == 0 else {
            throw AssertionError(
                .format, "the OpenPGP private key is passphrase-protected; export it without a passphrase to import it")
        }
        rest = rest.dropFirst()
        let secret = rest
        privateExponent = try OpenPGPPacket.readMPI(&rest)
        prime1 = try OpenPGPPacket.readMPI(&rest)
        prime2 = try OpenPGPPacket.readMPI(&rest)
        _ = try OpenPGPPacket.readMPI(&rest)
        guard rest.count == 2 else { throw OpenPGPPacket.packetError("secret key checksum missing") }
        let sum = secret.dropLast(2).reduce(UInt16(0)) { $0 &+ UInt16($1) }
        let stored = UInt16(rest[rest.startIndex]) << 8 | UInt16(rest[rest.startIndex + 1])
        guard sum == stored else { throw OpenPGPPacket.packetError("secret key checksum mismatch") }
    }
}
