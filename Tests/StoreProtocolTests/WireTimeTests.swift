import Foundation
import Testing

@testable import StoreProtocol

/// Times read back as ISO 8601 says, whichever of the forms the store, snapd and craft-store write.
@Suite struct WireTimeTests {
    @Test(arguments: [
        "2026-11-27T10:00:00Z", "2026-11-27T10:00:00+00:00", "2026-11-27T12:30:00+02:30",
        "2026-11-27T07:00:00-03:00", "2026-11-27T10:00:00.123456Z", "2024-02-29T23:59:59.5+00:00",
        "1970-01-01T00:00:00Z",
    ])
    func aTimeReadsAsISO8601Says(_ text: String) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions.insert(.withFractionalSeconds)
        let expected = (ISO8601DateFormatter().date(from: text) ?? formatter.date(from: text)).map {
            Int64($0.timeIntervalSince1970.rounded(.down))
        }
        #expect(expected != nil)
        #expect(WireTime.seconds(text) == expected)
    }

    @Test func whatIsNotATimeIsNone() {
        for text in ["", "yesterday", "2026-13-01T00:00:00Z", "2026-11-27T10:00"] {
            #expect(WireTime.seconds(text) == nil, "\(text)")
        }
    }

    @Test func whatIsWrittenReadsBack() {
        for seconds: Int64 in [0, 1_796_083_200, 1_700_000_123] {
            #expect(WireTime.seconds(WireTime.string(seconds)) == seconds)
            #expect(WireTime.seconds(WireTime.utc(seconds)) == seconds)
        }
    }
}
