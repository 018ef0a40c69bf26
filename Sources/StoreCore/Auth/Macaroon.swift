import DepotCrypto

/// A macaroon in pymacaroons' version 1 form, as Ubuntu One hands them to snapcraft: location,
/// identifier, caveats (first-party, or third-party with a verification id and location), and an
/// HMAC-SHA256 signature chained over them.
public struct Macaroon: Sendable, Equatable {
    public struct Caveat: Sendable, Equatable {
        public let id: [UInt8]
        /// Third-party caveats only.
        public let verificationID: [UInt8]?
        public let location: String?

        public var isThirdParty: Bool { verificationID != nil }
    }

    public let location: String
    public let identifier: [UInt8]
    public let caveats: [Caveat]
    public let signature: [UInt8]

    /// A new macaroon signed with `key`.
    public init(location: String, identifier: [UInt8], key: [UInt8]) {
        self.location = location
        self.identifier = identifier
        caveats = []
        signature = HMACSHA256.authenticate(key: Self.derivedKey(key), data: identifier)
    }

    init(location: String, identifier: [UInt8], caveats: [Caveat], signature: [UInt8]) {
        self.location = location
        self.identifier = identifier
        self.caveats = caveats
        self.signature = signature
    }

    public func addingFirstPartyCaveat(_ predicate: String) -> Macaroon {
        let id = Array(predicate.utf8)
        return Macaroon(
            location: location, identifier: identifier,
            caveats: caveats + [Caveat(id: id, verificationID: nil, location: nil)],
            signature: HMACSHA256.authenticate(key: signature, data: id))
    }

    /// Adds a third-party caveat. pymacaroons encrypts the caveat key into the verification id so
    /// that any verifier can recover it; snapdepot keeps caveat keys itself, so the id is random.
    public func addingThirdPartyCaveat(location caveatLocation: String, id: [UInt8]) -> Macaroon {
        let verificationID = RandomBytes.make(72)
        return Macaroon(
            location: location, identifier: identifier,
            caveats: caveats + [Caveat(id: id, verificationID: verificationID, location: caveatLocation)],
            signature: Self.concatenate(key: signature, verificationID, id))
    }

    /// The discharge bound to this (root) macaroon, as `prepare_for_request` does.
    public func binding(_ discharge: Macaroon) -> Macaroon {
        Macaroon(
            location: discharge.location, identifier: discharge.identifier, caveats: discharge.caveats,
            signature: boundSignature(of: discharge.signature))
    }

    func boundSignature(of dischargeSignature: [UInt8]) -> [UInt8] {
        Self.concatenate(key: [UInt8](repeating: 0, count: 32), signature, dischargeSignature)
    }

    /// Recomputes the signature from `key` and compares it with the one carried.
    public func hasValidSignature(key: [UInt8]) -> Bool {
        HMACSHA256.isEqual(Self.sign(identifier: identifier, caveats: caveats, key: key), signature)
    }

    /// Whether `bound` is this root's discharge, signed with `caveatKey` and bound to this root.
    public func verifiesDischarge(_ bound: Macaroon, caveatKey: [UInt8]) -> Bool {
        let unbound = Self.sign(identifier: bound.identifier, caveats: bound.caveats, key: caveatKey)
        return HMACSHA256.isEqual(boundSignature(of: unbound), bound.signature)
    }

    static func sign(identifier: [UInt8], caveats: [Caveat], key: [UInt8]) -> [UInt8] {
        var signature = HMACSHA256.authenticate(key: derivedKey(key), data: identifier)
        for caveat in caveats {
            if let verificationID = caveat.verificationID {
                signature = concatenate(key: signature, verificationID, caveat.id)
            } else {
                signature = HMACSHA256.authenticate(key: signature, data: caveat.id)
            }
        }
        return signature
    }

    static func derivedKey(_ key: [UInt8]) -> [UInt8] {
        HMACSHA256.authenticate(key: Array("macaroons-key-generator".utf8), data: key)
    }

    static func concatenate(key: [UInt8], _ first: [UInt8], _ second: [UInt8]) -> [UInt8] {
        HMACSHA256.authenticate(
            key: key,
            data: HMACSHA256.authenticate(key: key, data: first) + HMACSHA256.authenticate(key: key, data: second))
    }
}

extension Macaroon {
    /// pymacaroons' v1 serialization: packets `XXXX key value\n` (XXXX the packet length in hex),
    /// then URL-safe base64 without padding.
    public func serialized() -> String {
        var bytes = Self.packet("location", Array(location.utf8)) + Self.packet("identifier", identifier)
        for caveat in caveats {
            bytes += Self.packet("cid", caveat.id)
            if let verificationID = caveat.verificationID, let location = caveat.location {
                bytes += Self.packet("vid", verificationID) + Self.packet("cl", Array(location.utf8))
            }
        }
        bytes += Self.packet("signature", signature)
        return Base64.urlEncoded(bytes)
    }

    public init(serialized text: String) throws(StoreError) {
        guard let bytes = Self.decodeBase64URL(text) else {
            throw StoreError(.unauthorized, "the macaroon is not base64")
        }
        var rest = bytes[...]
        var fields: [(String, [UInt8])] = []
        while !rest.isEmpty {
            guard rest.count >= 4, let length = Int(String(decoding: rest.prefix(4), as: UTF8.self), radix: 16),
                length > 5, length <= rest.count
            else { throw StoreError(.unauthorized, "the macaroon is malformed") }
            let packet = rest.prefix(length).dropFirst(4)
            rest = rest.dropFirst(length)
            guard packet.last == 0x0a, let space = packet.firstIndex(of: 0x20) else {
                throw StoreError(.unauthorized, "the macaroon is malformed")
            }
            fields.append(
                (
                    String(decoding: packet[packet.startIndex..<space], as: UTF8.self),
                    Array(packet[(space + 1)..<(packet.endIndex - 1)])
                ))
        }
        var location = ""
        var identifier: [UInt8] = []
        var caveats: [Caveat] = []
        var signature: [UInt8] = []
        for (key, value) in fields {
            switch key {
            case "location": location = String(decoding: value, as: UTF8.self)
            case "identifier": identifier = value
            case "cid": caveats.append(Caveat(id: value, verificationID: nil, location: nil))
            case "vid":
                guard let last = caveats.popLast() else { throw StoreError(.unauthorized, "the macaroon is malformed") }
                caveats.append(Caveat(id: last.id, verificationID: value, location: last.location))
            case "cl":
                guard let last = caveats.popLast() else { throw StoreError(.unauthorized, "the macaroon is malformed") }
                caveats.append(
                    Caveat(
                        id: last.id, verificationID: last.verificationID,
                        location: String(decoding: value, as: UTF8.self)))
            case "signature": signature = value
            default: throw StoreError(.unauthorized, "the macaroon has an unknown field \(key)")
            }
        }
        guard signature.count == 32, !identifier.isEmpty else {
            throw StoreError(.unauthorized, "the macaroon is malformed")
        }
        self.init(location: location, identifier: identifier, caveats: caveats, signature: signature)
    }

    static func packet(_ key: String, _ value: [UInt8]) -> [UInt8] {
        let length = 4 + 2 + key.utf8.count + value.count
        let header = String(length, radix: 16)
        return Array((String(repeating: "0", count: max(0, 4 - header.count)) + header).utf8) + Array(key.utf8) + [0x20]
            + value + [0x0a]
    }

    /// Leniently, unlike snapd's assertions: pymacaroons writes base64url but also reads the
    /// standard alphabet and padding, and snapcraft hands back what it was given either way.
    static func decodeBase64URL(_ text: String) -> [UInt8]? {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (value, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        // pymacaroons also reads the standard alphabet and padding.
        table[Int(UInt8(ascii: "+"))] = 62
        table[Int(UInt8(ascii: "/"))] = 63
        var bits: UInt32 = 0
        var count = 0
        var output: [UInt8] = []
        for character in text.utf8 where character != UInt8(ascii: "=") {
            let value = table[Int(character)]
            guard value != 0xff else { return nil }
            bits = bits << 6 | UInt32(value)
            count += 6
            if count >= 8 {
                count -= 8
                output.append(UInt8(bits >> UInt32(count) & 0xff))
            }
        }
        return output
    }
}
