import DepotCrypto
import Testing

@testable import Assertions

@Suite struct HeaderCodecTests {
    /// Headers in snapd's text form; every shape of value appears once.
    static let text = """
        type: snap-declaration
        format: 1
        authority-id: test-root
        series: 16
        snap-id: abcdefghijklmnopqrstuvwxyz012345
        aliases:
          -
            name: foo
            target: bar
          -
            name: baz
            target: qux
        empty: 
        multi:
            first line
            
            third line
        nested:
          -
            - inner
            -
                two
                lines
          - plain
        plugs:
          network:
            allow-auto-connection: true
            deny-connection:
              on-store:
                - a
                - b
        publisher-id: test-root
        snap-name: hello
        timestamp: 2026-01-01T00:00:00Z
        sign-key-sha3-384: abc
        """

    @Test func parsesEveryShapeOfValue() throws {
        let headers = try HeaderParser.parse(Array(Self.text.utf8)[...])
        #expect(headers["series"] == "16")
        #expect(headers["empty"] == "")
        #expect(headers["multi"] == .string("first line\n\nthird line"))
        #expect(headers["aliases"] == [["name": "foo", "target": "bar"], ["name": "baz", "target": "qux"]])
        #expect(headers["nested"] == [["inner", "two\nlines"], "plain"])
        #expect(
            headers["plugs"] == [
                "network": ["allow-auto-connection": "true", "deny-connection": ["on-store": ["a", "b"]]]
            ])
    }

    @Test func encodesBackToTheSameBytes() throws {
        let headers = try HeaderParser.parse(Array(Self.text.utf8)[...])
        var buffer = Array("type: snap-declaration".utf8)
        for name in [
            "format", "authority-id", "series", "snap-id", "aliases", "empty", "multi", "nested", "plugs",
            "publisher-id", "snap-name", "timestamp", "sign-key-sha3-384",
        ] {
            HeaderEncoder.appendEntry(&buffer, intro: "\(name):", headers[name]!, baseIndent: 0)
        }
        #expect(String(decoding: buffer, as: UTF8.self) == Self.text)
    }

    @Test func omitsEmptyListsAndMapsAndSortsMapKeysBytewise() {
        var buffer: [UInt8] = []
        HeaderEncoder.appendEntry(&buffer, intro: "a:", .list([]), baseIndent: 0)
        HeaderEncoder.appendEntry(&buffer, intro: "b:", .map([:]), baseIndent: 0)
        #expect(buffer.isEmpty)
        HeaderEncoder.appendEntry(&buffer, intro: "m:", ["b": "1", "B": "2", "a-b": "3", "a": "4"], baseIndent: 0)
        #expect(String(decoding: buffer, as: UTF8.self) == "\nm:\n  B: 2\n  a: 4\n  a-b: 3\n  b: 1")
    }

    @Test(arguments: [
        ("no separator here", "header entry missing ':' separator"),
        ("Type: model", "invalid header name: \"Type\""),
        ("type: a\ntype: b", "repeated header: \"type\""),
        ("type:x", "header entry should have a space or newline"),
        ("multi:\n  not-enough: indent\n  not-enough: twice", "repeated map entry: \"not-enough\""),
        ("multi:", "expected 4 chars nesting prefix after multiline introduction \"multi:\": EOF"),
        ("m:\n  Bad: key", "invalid map entry key: \"Bad\""),
        ("m:\n  nocolon", "map entry missing ':' separator"),
        ("bad-: name", "invalid header name"),
        ("a--b: name", "invalid header name"),
    ])
    func refusesMalformedHeaders(text: String, message: String) {
        #expect {
            _ = try HeaderParser.parse(Array(text.utf8)[...])
        } throws: { error in
            (error as? AssertionError)?.message.contains(message) == true
        }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: AssertionError.self) { _ = try HeaderParser.parse([0x61, 0x3a, 0x20, 0xff][...]) }
    }

    @Test func timestampsFollowGoRFC3339() throws {
        #expect(Timestamp.parse("2016-08-11T18:42:22+02:00")?.seconds == 1_470_933_742)
        #expect(Timestamp.parse("2024-02-29T23:59:59.123456789Z")?.nanoseconds == 123_456_789)
        #expect(Timestamp.parse("2024-01-01T00:00:00.5Z")?.nanoseconds == 500_000_000)
        for bad in [
            "2023-02-29T00:00:00Z", "2024-01-01 00:00:00Z", "2024-01-01T24:00:00Z", "2024-1-01T00:00:00Z",
            "2024-01-01T00:00:00", "2024-01-01T00:00:00+0200", "2024-01-01T00:00:60Z", "yesterday", "",
        ] {
            #expect(Timestamp.parse(bad) == nil, "\(bad) should be refused")
        }
        #expect(Timestamp(seconds: 1_470_933_742).text == "2016-08-11T16:42:22Z")
        #expect(Timestamp(seconds: -1).text == "1969-12-31T23:59:59Z")
    }

    @Test func base64FollowsGoDecoding() {
        #expect(Base64.decode(Array("aGVs\nbG8=".utf8)) == Array("hello".utf8))
        #expect(Base64.decode(Array("aGVsbG8".utf8)) == nil)
        #expect(Base64.decode(Array("aGVsbG8=x".utf8)) == nil)
        #expect(Base64.decode(Array("aGV*bG8=".utf8)) == nil)
        #expect(Base64.decode(Array("_-8".utf8), alphabet: .urlSafe, padding: false) == [0xff, 0xef])
        #expect(Base64.encode([0xff, 0xef], alphabet: .urlSafe, padding: false) == "_-8")
    }
}
