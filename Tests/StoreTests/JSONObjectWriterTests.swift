import Foundation
import Testing

@testable import StoreHTTP

/// The response writer must produce what Foundation's parser (and snapd's Go decoder) reads back.
@Suite struct JSONObjectWriterTests {
    @Test func writesNestedValuesThatParseBackUnchanged() throws {
        let missing: String? = nil
        let present: Int? = 7
        let value: [String: Any] = [
            "text": "quote \" backslash \\ newline \n tab \t bell \u{07} snowman ☃ url https://x/y",
            "int": 42, "negative": Int64(-9_000_000_000), "double": 1.5, "flag": true, "off": false,
            "null": NSNull(), "missing": missing as Any, "present": present as Any,
            "list": [1, 2, 3], "strings": ["a", "b"], "nested": ["inner": ["deep": "yes"]],
            "objects": [["architecture": "amd64", "channel": "stable"]],
        ]
        let data = try JSONObjectWriter.data(value)
        let parsed = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(parsed["text"] as? String == value["text"] as? String)
        #expect(parsed["int"] as? Int == 42)
        #expect(parsed["negative"] as? Int64 == -9_000_000_000)
        #expect(parsed["double"] as? Double == 1.5)
        #expect(parsed["null"] is NSNull)
        #expect(parsed["missing"] is NSNull)
        #expect(parsed["present"] as? Int == 7)
        #expect(parsed["strings"] as? [String] == ["a", "b"])
        #expect(((parsed["nested"] as? [String: Any])?["inner"] as? [String: String]) == ["deep": "yes"])
        #expect((parsed["objects"] as? [[String: String]])?.first?["channel"] == "stable")
        let text = try #require(String(data: data, encoding: .utf8))
        #expect(text.contains(#""flag":true"#) && text.contains(#""off":false"#))
        #expect(text.contains("https://x/y"), "slashes stay unescaped, as the real store writes URLs")
        #expect(text.contains(#"\u0007"#))
    }

    @Test func sortsKeysAndKeepsParsedNumbersApartFromBooleans() throws {
        let parsed = try JSONSerialization.jsonObject(with: Data(#"{"one":1,"yes":true,"zero":0}"#.utf8))
        let data = try JSONObjectWriter.data(["b": parsed, "a": "first"])
        #expect(String(data: data, encoding: .utf8) == #"{"a":"first","b":{"one":1,"yes":true,"zero":0}}"#)
    }

    @Test func refusesNumbersJSONCannotHold() {
        #expect(throws: (any Error).self) { try JSONObjectWriter.data(["bad": Double.nan]) }
    }
}
