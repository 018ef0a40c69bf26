import Foundation
import StoreCore
import StoreProtocol

/// `--json` output: the admin API's JSON form (`WireJSON`, kebab-case keys), pretty-printed.
public enum JSONOutput {
    public static func print<Value: Encodable>(_ value: Value) throws {
        let encoder = WireJSON.encoder
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        Swift.print(String(decoding: data, as: UTF8.self))
    }
}
