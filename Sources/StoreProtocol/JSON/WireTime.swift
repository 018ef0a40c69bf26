import Foundation

/// Times as the store writes them: ISO 8601 with seconds and an explicit offset
/// (`2026-11-27T10:00:00+00:00`), which Go's `time.Time` and craft-store's pydantic both read.
public enum WireTime {
    public static func string(_ seconds: Int64) -> String {
        // By hand: a new ISO8601DateFormatter per call cost a twelfth of every refresh.
        var clock = time_t(seconds)
        var parts = tm()
        gmtime_r(&clock, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(digits(parts.tm_year + 1900, 4))-\(digits(parts.tm_mon + 1, 2))-\(digits(parts.tm_mday, 2))T"
            + "\(digits(parts.tm_hour, 2)):\(digits(parts.tm_min, 2)):\(digits(parts.tm_sec, 2))+00:00"
    }

    /// The same time as Go's `time.Time` writes a UTC time (`2026-11-27T10:00:00Z`): what snapd
    /// sends in a snap action's `refreshed-date`.
    public static func utc(_ seconds: Int64) -> String {
        String(string(seconds).dropLast(6)) + "Z"
    }

    /// Seconds since the epoch of an ISO 8601 time, with or without fractional seconds.
    public static func seconds(_ text: String) -> Int64? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return Int64(date.timeIntervalSince1970) }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions.insert(.withFractionalSeconds)
        return fractional.date(from: text).map { Int64($0.timeIntervalSince1970) }
    }
}
