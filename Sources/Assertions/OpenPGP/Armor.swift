import DepotCrypto

/// ASCII armor (RFC 4880 §6.2): the `-----BEGIN PGP … BLOCK-----` form GnuPG exports.
enum Armor {
    static func decode(_ text: String) throws(AssertionError) -> (type: String, bytes: [UInt8]) {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map {
            $0.trimmingTrailingWhitespace()
        }
        guard let beginIndex = lines.firstIndex(where: { $0.hasPrefix("-----BEGIN ") && $0.hasSuffix("-----") }) else {
            throw AssertionError(.format, "not an armored OpenPGP block: no -----BEGIN line")
        }
        let type = String(lines[beginIndex].dropFirst(11).dropLast(5))
        guard let endIndex = lines[beginIndex...].firstIndex(of: "-----END \(type)-----") else {
            throw AssertionError(.format, "armored OpenPGP block has no -----END \(type)----- line")
        }
        var index = beginIndex + 1
        // Armor headers ("Version: …") run up to the first blank line.
        if lines[index..<endIndex].contains(where: { $0.contains(": ") }) {
            while index < endIndex, !lines[index].isEmpty { index += 1 }
        }
        var payload = ""
        var checksum: Substring?
        for line in lines[index..<endIndex] where !line.isEmpty {
            if line.hasPrefix("=") {
                checksum = line.dropFirst()
            } else {
                payload += line
            }
        }
        guard let bytes = Base64.decode(Array(payload.utf8)) else {
            throw AssertionError(.format, "armored OpenPGP block is not valid base64")
        }
        if let checksum {
            guard let expected = Base64.decode(Array(checksum.utf8)), expected.count == 3 else {
                throw AssertionError(.format, "armored OpenPGP block has a malformed checksum")
            }
            let actual = crc24(bytes)
            guard expected == [UInt8(actual >> 16 & 0xff), UInt8(actual >> 8 & 0xff), UInt8(actual & 0xff)] else {
                throw AssertionError(.format, "armored OpenPGP block checksum mismatch")
            }
        }
        return (type, bytes)
    }

    private static func crc24(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xB7_04CE
        for byte in bytes {
            crc ^= UInt32(byte) << 16
            for _ in 0..<8 {
                crc <<= 1
                if crc & 0x100_0000 != 0 { crc ^= 0x186_4CFB }
            }
        }
        return crc & 0xFF_FFFF
    }
}

extension Substring {
    fileprivate func trimmingTrailingWhitespace() -> Substring {
        var result = self
        while let last = result.last, last == " " || last == "\t" || last == "\r" { result = result.dropLast() }
        return result
    }
}
