/// The two base64 flavours of snapd's formats, with Go's decoding rules: standard with padding
/// (signatures, keys; line breaks are skipped) and URL-safe without padding (digests, key ids).
public enum Base64 {
    public enum Alphabet: Sendable {
        case standard
        case urlSafe

        var characters: [UInt8] {
            switch self {
            case .standard: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
            case .urlSafe: Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
            }
        }
    }

    private static let standardTable = table(.standard)
    private static let urlSafeTable = table(.urlSafe)

    private static func table(_ alphabet: Alphabet) -> [UInt8] {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (value, character) in alphabet.characters.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }

    public static func encode<Bytes: Collection>(_ bytes: Bytes, alphabet: Alphabet = .standard, padding: Bool = true)
        -> String
    where Bytes.Element == UInt8 {
        let characters = alphabet.characters
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= input.count {
            let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            output.append(characters[Int(chunk >> 18 & 63)])
            output.append(characters[Int(chunk >> 12 & 63)])
            output.append(characters[Int(chunk >> 6 & 63)])
            output.append(characters[Int(chunk & 63)])
            index += 3
        }
        let remaining = input.count - index
        if remaining > 0 {
            var chunk = UInt32(input[index]) << 16
            if remaining == 2 { chunk |= UInt32(input[index + 1]) << 8 }
            output.append(characters[Int(chunk >> 18 & 63)])
            output.append(characters[Int(chunk >> 12 & 63)])
            if remaining == 2 {
                output.append(characters[Int(chunk >> 6 & 63)])
            } else if padding {
                output.append(UInt8(ascii: "="))
            }
            if padding { output.append(UInt8(ascii: "=")) }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Returns nil for anything Go's decoder rejects.
    public static func decode<Bytes: Collection>(_ text: Bytes, alphabet: Alphabet = .standard, padding: Bool = true)
        -> [UInt8]?
    where Bytes.Element == UInt8 {
        let lookup = alphabet == .standard ? standardTable : urlSafeTable
        var symbols: [UInt8] = []
        symbols.reserveCapacity(text.count)
        var padCount = 0
        for byte in text {
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") { continue }
            if padding && byte == UInt8(ascii: "=") {
                padCount += 1
                continue
            }
            guard padCount == 0 else { return nil }
            let value = lookup[Int(byte)]
            guard value != 0xff else { return nil }
            symbols.append(value)
        }
        if padding {
            guard (symbols.count + padCount) % 4 == 0, padCount <= 2 else { return nil }
            if padCount > 0 && symbols.count % 4 != 4 - padCount { return nil }
        }
        guard symbols.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(symbols.count * 3 / 4)
        var index = 0
        while index + 4 <= symbols.count {
            let chunk =
                UInt32(symbols[index]) << 18 | UInt32(symbols[index + 1]) << 12 | UInt32(symbols[index + 2]) << 6
                | UInt32(symbols[index + 3])
            output.append(UInt8(chunk >> 16 & 0xff))
            output.append(UInt8(chunk >> 8 & 0xff))
            output.append(UInt8(chunk & 0xff))
            index += 4
        }
        let remaining = symbols.count - index
        if remaining >= 2 {
            var chunk = UInt32(symbols[index]) << 18 | UInt32(symbols[index + 1]) << 12
            if remaining == 3 { chunk |= UInt32(symbols[index + 2]) << 6 }
            output.append(UInt8(chunk >> 16 & 0xff))
            if remaining == 3 { output.append(UInt8(chunk >> 8 & 0xff)) }
        }
        return output
    }

    /// base64url without padding, as digest headers and key ids are written.
    public static func urlEncoded<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        encode(bytes, alphabet: .urlSafe, padding: false)
    }
}
