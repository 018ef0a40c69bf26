import Foundation

/// The one JSON configuration of the admin API, on both ends: Swift's camelCase properties are
/// written as the kebab-case keys snapd's and the store's JSON use (`snapID` ↔ `snap-id`,
/// `sha3_384` ↔ `sha3-384`, `snapYAML` ↔ `snap-yaml`).
public enum WireJSON {
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
