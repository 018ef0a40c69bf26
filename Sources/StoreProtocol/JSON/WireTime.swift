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
        // The forms this project and snapd write are read by hand: a formatter per call cost a
        // twelfth of a simulated device's refresh (its changes' times are read at every start).
        if let seconds = fixedForm(Array(text.utf8)) { return seconds }
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return Int64(date.timeIntervalSince1970) }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions.insert(.withFractionalSeconds)
        return fractional.date(from: text).map { Int64($0.timeIntervalSince1970) }
    }

    /// `YYYY-MM-DDTHH:MM:SS`, optional fractional seconds, then `Z` or `±HH:MM`; nil otherwise.
    private static func fixedForm(_ bytes: [UInt8]) -> Int64? {
        guard bytes.count >= 20, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A,
            bytes[16] == 0x3A
        else { return nil }
        func number(_ start: Int, _ count: Int) -> Int32? {
            var value: Int32 = 0
            for byte in bytes[start..<start + count] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int32(byte - 0x30)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2), (1...12).contains(month), (1...31).contains(day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        if bytes[index] == 0x2E {
            index += 1
            while index < bytes.count, (0x30...0x39).contains(bytes[index]) { index += 1 }
        }
        var offset: Int64 = 0
        if index == bytes.count - 1, bytes[index] == 0x5A {
            offset = 0
        } else if index == bytes.count - 6, bytes[index] == 0x2B || bytes[index] == 0x2D, bytes[index + 3] == 0x3A,
            let hours = number(index + 1, 2), let minutes = number(index + 4, 2)
        {
            offset = Int64(hours) * 3600 + Int64(minutes) * 60
            if bytes[index] == 0x2D { offset = -offset }
        } else {
            return nil
        }
        var parts = tm()
        parts.tm_year = year - 1900
        parts.tm_mon = month - 1
        parts.tm_mday = day
        parts.tm_hour = hour
        parts.tm_min = minute
        parts.tm_sec = second
        return Int64(timegm(&parts)) - offset
    }
}
