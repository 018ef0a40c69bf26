import Foundation
import SnapFiles
import StoreProtocol
import Testing

/// Epochs as snapd writes and reads them in JSON (`snap/epoch.go`): one type for snap.yaml and the
/// wire, so both follow snapd's rules.
@Suite struct EpochWireTests {
    func decode(_ json: String) throws -> Epoch {
        try WireJSON.literalDecoder.decode(Epoch.self, from: Data(json.utf8))
    }

    @Test func readsTheShortAndTheStructuredForms() throws {
        #expect(try decode(#""0""#) == .zero)
        #expect(try decode(#""5""#) == Epoch(read: [5], write: [5]))
        #expect(try decode(#""5*""#) == Epoch(read: [4, 5], write: [5]))
        #expect(try decode(#"{"read":[1,2],"write":[2]}"#) == Epoch(read: [1, 2], write: [2]))
        #expect(try decode(#"{"write":[3]}"#) == Epoch(read: [3], write: [3]))
        #expect(try decode(#"{}"#) == .zero)
    }

    /// snapd refuses `0*` ("0* is an invalid epoch"); the store's old wire parser read it as 0.
    @Test func refusesWhatSnapdRefuses() {
        #expect(throws: DecodingError.self) { try decode(#""0*""#) }
        #expect(throws: DecodingError.self) { try decode(#""01""#) }
        #expect(throws: DecodingError.self) { try decode(#"{"read":[2,1],"write":[2]}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"read":[1],"write":[2]}"#) }
    }

    @Test func writesTheListsAsSnapdDoes() throws {
        let text = String(decoding: try WireJSON.literalEncoder.encode(Epoch(read: [4, 5], write: [5])), as: UTF8.self)
        #expect(text.contains(#""read":[4,5]"#) && text.contains(#""write":[5]"#))
    }

    /// A snap action carrying `"0*"` is refused as a whole, as snapd's own decoder would.
    @Test func aSnapActionWithAnInvalidEpochDoesNotDecode() {
        let body = #"""
            {"context": [{"snap-id": "x", "instance-key": "x", "revision": 1, "tracking-channel": "stable",
              "epoch": "0*"}], "actions": []}
            """#
        #expect(throws: DecodingError.self) {
            try WireJSON.literalDecoder.decode(SnapActionRequest.self, from: Data(body.utf8))
        }
    }
}
