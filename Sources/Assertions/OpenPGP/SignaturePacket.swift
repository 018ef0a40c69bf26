/// An OpenPGP v4 signature packet (RFC 4880 §5.2.3), the only kind snapd writes or accepts.
struct SignaturePacket: Sendable {
    static let rsaAlgorithm: UInt8 = 1
    static let sha512Algorithm: UInt8 = 10

    let signatureType: UInt8
    let publicKeyAlgorithm: UInt8
    let hashAlgorithm: UInt8
    let hashedSubpackets: [UInt8]
    let unhashedSubpackets: [UInt8]
    let hashTag: [UInt8]
    let signature: [UInt8]
    let creationTime: UInt32

    /// What follows the signed content in the hash: the packet's hashed part and the v4 trailer.
    var hashSuffix: [UInt8] {
        let hashedLength = 6 + hashedSubpackets.count
        return [4, signatureType, publicKeyAlgorithm, hashAlgorithm]
            + [UInt8(hashedSubpackets.count >> 8), UInt8(hashedSubpackets.count & 0xff)] + hashedSubpackets
            + [
                4, 0xff, UInt8(hashedLength >> 24 & 0xff), UInt8(hashedLength >> 16 & 0xff),
                UInt8(hashedLength >> 8 & 0xff), UInt8(hashedLength & 0xff),
            ]
    }

    /// The packet snapd's signer makes: binary signature, RSA, SHA-512, one hashed creation-time subpacket.
    static func make(creationTime: UInt32, sign: ([UInt8]) throws -> (hashTag: [UInt8], signature: [UInt8]))
        rethrows -> SignaturePacket
    {
        let subpackets: [UInt8] = [5, 2] + bigEndian(creationTime)
        var packet = SignaturePacket(
            signatureType: 0, publicKeyAlgorithm: rsaAlgorithm, hashAlgorithm: sha512Algorithm,
            hashedSubpackets: subpackets, unhashedSubpackets: [], hashTag: [0, 0], signature: [],
            creationTime: creationTime)
        let (hashTag, signature) = try sign(packet.hashSuffix)
        packet = SignaturePacket(
            signatureType: 0, publicKeyAlgorithm: rsaAlgorithm, hashAlgorithm: sha512Algorithm,
            hashedSubpackets: subpackets, unhashedSubpackets: [], hashTag: hashTag, signature: signature,
            creationTime: creationTime)
        return packet
    }

    func serialized() -> [UInt8] {
        let body =
            [4, signatureType, publicKeyAlgorithm, hashAlgorithm]
            + [UInt8(hashedSubpackets.count >> 8), UInt8(hashedSubpackets.count & 0xff)] + hashedSubpackets
            + [UInt8(unhashedSubpackets.count >> 8), UInt8(unhashedSubpackets.count & 0xff)] + unhashedSubpackets
            + hashTag + Self.signatureMPI(signature)
        return OpenPGPPacket.header(tag: .signature, length: body.count) + body
    }

    /// Parses a signature packet body with the checks of Go's `packet.Signature.parse`.
    init(body: ArraySlice<UInt8>) throws(AssertionError) {
        var rest = body
        func take(_ count: Int) throws(AssertionError) -> ArraySlice<UInt8> {
            guard rest.count >= count else { throw OpenPGPPacket.packetError("unexpected EOF in signature packet") }
            defer { rest = rest.dropFirst(count) }
            return rest.prefix(count)
        }
        let fixed = try take(6)
        let start = fixed.startIndex
        guard fixed[start] == 4 else {
            throw AssertionError(.signature, "openpgp: unsupported feature: signature packet version \(fixed[start])")
        }
        signatureType = fixed[start + 1]
        publicKeyAlgorithm = fixed[start + 2]
        hashAlgorithm = fixed[start + 3]
        guard [1, 2, 3].contains(publicKeyAlgorithm) else {
            throw AssertionError(.signature, "openpgp: unsupported feature: public key algorithm \(publicKeyAlgorithm)")
        }
        let hashedLength = Int(fixed[start + 4]) << 8 | Int(fixed[start + 5])
        hashedSubpackets = Array(try take(hashedLength))
        let unhashedLengthBytes = try take(2)
        let unhashedLength =
            Int(unhashedLengthBytes[unhashedLengthBytes.startIndex]) << 8
            | Int(unhashedLengthBytes[unhashedLengthBytes.startIndex + 1])
        unhashedSubpackets = Array(try take(unhashedLength))
        hashTag = Array(try take(2))
        signature = try OpenPGPPacket.readMPI(&rest)
        let hashedTime = try Self.parseSubpackets(hashedSubpackets, hashed: true)
        _ = try Self.parseSubpackets(unhashedSubpackets, hashed: false)
        guard let hashedTime else {
            throw AssertionError(.signature, "openpgp: invalid data: no creation time in signature")
        }
        creationTime = hashedTime
    }

    private init(
        signatureType: UInt8, publicKeyAlgorithm: UInt8, hashAlgorithm: UInt8, hashedSubpackets: [UInt8],
        unhashedSubpackets: [UInt8], hashTag: [UInt8], signature: [UInt8], creationTime: UInt32
    ) {
        self.signatureType = signatureType
        self.publicKeyAlgorithm = publicKeyAlgorithm
        self.hashAlgorithm = hashAlgorithm
        self.hashedSubpackets = hashedSubpackets
        self.unhashedSubpackets = unhashedSubpackets
        self.hashTag = hashTag
        self.signature = signature
        self.creationTime = creationTime
    }

    /// Walks subpackets, returning the creation time if one is there; unknown critical ones are refused.
    private static func parseSubpackets(_ bytes: [UInt8], hashed: Bool) throws(AssertionError) -> UInt32? {
        var rest = bytes[...]
        var creationTime: UInt32?
        while let first = rest.first {
            var length: Int
            rest = rest.dropFirst()
            switch first {
            case 0..<192:
                length = Int(first)
            case 192..<255:
                guard let second = rest.first else { throw OpenPGPPacket.packetError("subpacket truncated") }
                length = (Int(first) - 192) << 8 + Int(second) + 192
                rest = rest.dropFirst()
            default:
                guard rest.count >= 4 else { throw OpenPGPPacket.packetError("subpacket truncated") }
                length = rest.prefix(4).reduce(0) { $0 << 8 | Int($1) }
                rest = rest.dropFirst(4)
            }
            guard length >= 1, rest.count >= length else {
                throw OpenPGPPacket.packetError(length < 1 ? "zero length signature subpacket" : "subpacket truncated")
            }
            let type = rest[rest.startIndex] & 0x7f
            let critical = rest[rest.startIndex] & 0x80 != 0
            let content = rest.dropFirst().prefix(length - 1)
            rest = rest.dropFirst(length)
            switch type {
            case 2:
                guard hashed else { continue }
                guard content.count == 4 else {
                    throw OpenPGPPacket.packetError("signature creation time not four bytes")
                }
                creationTime = content.reduce(0) { $0 << 8 | UInt32($1) }
            case 3, 9, 11, 16, 20, 21, 22, 23, 25, 26, 27, 30, 33:
                // Known to Go's parser (expiry, issuer, preferences, flags, features, fingerprint):
                // accepted and not needed for verification.
                continue
            default:
                if critical {
                    throw AssertionError(
                        .signature, "openpgp: unsupported feature: unknown critical signature subpacket type \(type)")
                }
            }
        }
        return creationTime
    }

    /// Go's signer writes the RSA signature with a bit count of eight times its byte length,
    /// leading zero bytes and all, rather than its exact bit length: the bytes must match.
    static func signatureMPI(_ signature: [UInt8]) -> [UInt8] {
        let bits = signature.count * 8
        return [UInt8(bits >> 8 & 0xff), UInt8(bits & 0xff)] + signature
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }
}
