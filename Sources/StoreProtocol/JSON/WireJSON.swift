import Foundation

/// The JSON configurations of the store's two dialects, on both ends.
///
/// - `encoder`/`decoder`: the admin API, whose keys come from Swift's camelCase property names
///   written in kebab case (`snapID` ↔ `snap-id`, `sha3_384` ↔ `sha3-384`, `snapYAML` ↔ `snap-yaml`).
/// - `literalEncoder`/`literalDecoder`: the wire of snapd and snapcraft, whose types spell every
///   key in their `CodingKeys` exactly as those clients' own structs do (snapd's json tags), so no
///   key is derived and none is transformed on the hot path.
///
/// Both write keys sorted: the same content is the same bytes every time (the encoder's own order
/// is not stable), so an answer can be compared, cached or hashed.
public enum WireJSON {
    public static var literalEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static var literalDecoder: JSONDecoder {
        JSONDecoder()
    }

    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .custom { path in
            WireKey(kebab(path.last?.stringValue ?? ""))
        }
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            WireKey(camel(path.last?.stringValue ?? ""))
        }
        return decoder
    }

    static let acronyms: Set<String> = ["id", "yaml", "url"]

    /// `snapID` → `snap-id`, `sha3_384` → `sha3-384`, `snapYAML` → `snap-yaml`.
    public static func kebab(_ name: String) -> String {
        var result = ""
        let characters = Array(name)
        for (index, character) in characters.enumerated() {
            if character == "_" {
                result.append("-")
                continue
            }
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let nextIsLower = index + 1 < characters.count && characters[index + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) {
                    result.append("-")
                }
            }
            result.append(Character(character.lowercased()))
        }
        return result
    }

    /// The inverse of `kebab` for this project's names.
    public static func camel(_ key: String) -> String {
        let parts = key.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard let first = parts.first else { return key }
        var result = first
        for part in parts.dropFirst() {
            if let leading = part.first, leading.isNumber {
                result += "_" + part
            } else if acronyms.contains(part) {
                result += part.uppercased()
            } else {
                result += part.prefix(1).uppercased() + part.dropFirst()
            }
        }
        return result
    }

    struct WireKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }

        init(_ string: String) {
            stringValue = string
        }

        init?(stringValue: String) {
            self.stringValue = stringValue
        }

        init?(intValue: Int) {
            nil
        }
    }
}
