import DepotCrypto

/// Reading and writing OpenPGP packet framing (RFC 4880 §4.2), both the old and the new header forms.
enum OpenPGPPacket {
    enum Tag: UInt8 {
        case signature = 2
        case secretKey = 5
        case publicKey = 6
    }

    /// Reads one packet from the front of `bytes`: its tag, its body, and the bytes after it.
    static func read(_ bytes: ArraySlice<UInt8>) throws(AssertionError) -> (
        tag: UInt8, body: ArraySlice<UInt8>, rest: ArraySlice<UInt8>
    ) {
        guard let first = bytes.first else { throw packetError("no data") }
        guard first & 0x80 != 0 else { throw packetError("tag byte does not have MSB set") }
        var position = bytes.startIndex + 1
        let tag: UInt8
        let length: Int
        func byte() throws(AssertionError) -> Int {
            guard position < bytes.endIndex else { throw packetError("unexpected EOF") }
            defer { position += 1 }
            return Int(bytes[position])
        }
        if first & 0x40 == 0 {
            tag = (first & 0x3f) >> 2
            switch first & 0x03 {
            case 0: length = try byte()
            case 1: length = try byte() << 8 | byte()
            case 2: length = try byte() << 24 | byte() << 16 | byte() << 8 | byte()
            default: throw packetError("indeterminate length packets are not supported")
            }
        } else {
            tag = first & 0x3f
            let octet = try byte()
            switch octet {
            case 0..<192: length = octet
            case 192..<224: length = (octet - 192) << 8 + (try byte()) + 192
            case 255: length = try byte() << 24 | byte() << 16 | byte() << 8 | byte()
            default: throw packetError("partial body lengths are not supported")
            }
        }
        guard length <= bytes.endIndex - position else { throw packetError("unexpected EOF") }
        return (tag, bytes[position..<(position + length)], bytes[(position + length)...])
    }

    /// A new-format header, as Go's `packet.serializeHeader` writes it.
    static func header(tag: Tag, length: Int) -> [UInt8] {
        var header: [UInt8] = [0xc0 | tag.rawValue]
        if length < 192 {
            header.append(UInt8(length))
        } else if length < 8384 {
            let adjusted = length - 192
            header += [UInt8(adjusted >> 8 + 192), UInt8(adjusted & 0xff)]
        } else {
            header += [
                255, UInt8(length >> 24 & 0xff), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff),
                UInt8(length & 0xff),
            ]
        }
        return header
    }

    /// Reads a multiprecision integer: a 16-bit bit count and the big-endian bytes.
    static func readMPI(_ bytes: inout ArraySlice<UInt8>) throws(AssertionError) -> [UInt8] {
        guard bytes.count >= 2 else { throw packetError("unexpected EOF reading MPI") }
        let bits = Int(bytes[bytes.startIndex]) << 8 | Int(bytes[bytes.startIndex + 1])
        let count = (bits + 7) / 8
        bytes = bytes.dropFirst(2)
        guard bytes.count >= count else { throw packetError("unexpected EOF reading MPI") }
        let value = Array(bytes.prefix(count))
        bytes = bytes.dropFirst(count)
        return value
    }

    /// Writes an MPI with its exact bit length, leading zero bytes dropped.
    static func mpi(_ value: [UInt8]) -> [UInt8] {
        let trimmed = value.drop { $0 == 0 }
        guard let first = trimmed.first else { return [0, 0] }
        let bits = (trimmed.count - 1) * 8 + (8 - first.leadingZeroBitCount)
        return [UInt8(bits >> 8), UInt8(bits & 0xff)] + trimmed
    }

    static func packetError(_ reason: String) -> AssertionError {
        AssertionError(.format, "openpgp: invalid data: \(reason)")
    }
}

/// The `encodeV1` wrapping of snapd: base64 of a 0x01 version byte and a packet, in 76-column lines.
enum EncodedV1 {
    static func encode(_ packet: [UInt8]) -> String {
        let flat = Base64.encode([0x01] + packet)
        var lines: [Substring] = []
        var rest = Substring(flat)
        while rest.count > 76 {
            lines.append(rest.prefix(76))
            rest = rest.dropFirst(76)
        }
        lines.append(rest)
        return lines.joined(separator: "\n")
    }

    /// Decodes and checks the version byte and that exactly one packet is there.
    static func decode(_ text: [UInt8], kind: String) throws(AssertionError) -> (tag: UInt8, body: ArraySlice<UInt8>) {
        guard !text.isEmpty else { throw AssertionError(.format, "cannot decode \(kind): no data") }
        guard let bytes = Base64.decode(text) else {
            throw AssertionError(.format, "cannot decode \(kind): illegal base64 data")
        }
        guard let version = bytes.first else {
            throw AssertionError(.format, "cannot decode \(kind): base64 without data")
        }
        guard version == 0x01 else {
            throw AssertionError(.format, "unsupported \(kind) format version: \(version)")
        }
        let packet: (tag: UInt8, body: ArraySlice<UInt8>, rest: ArraySlice<UInt8>)
        do {
            packet = try OpenPGPPacket.read(bytes.dropFirst())
        } catch {
            throw error.prefixed("cannot decode \(kind)")
        }
        guard packet.rest.isEmpty else { throw AssertionError(.format, "\(kind) has spurious trailing data") }
        return (packet.tag, packet.body)
    }
}
