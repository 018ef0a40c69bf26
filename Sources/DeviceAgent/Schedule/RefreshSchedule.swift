import Foundation

/// snapd's `refresh.timer` (`timeutil/schedule.go`): event sets separated by `,,`, each of optional
/// weekdays (`mon`, `mon-fri`) and clock spans — `10:00` (exact), `9:00-11:00`, `9:00~11:00`
/// (`~`: a random time within), `/N` splitting a span into N windows. Times are the device's
/// clock, UTC here. The default, `00:00~24:00/4`, is four spread six-hour windows.
public struct RefreshSchedule: Sendable, Equatable, CustomStringConvertible {
    public static let snapdDefault = "00:00~24:00/4"
    /// snapd never lets a device go longer than this without a refresh (`maxPostponement`).
    public static let maximumPostponement: TimeInterval = 95 * 24 * 3600

    struct Window: Sendable, Equatable {
        /// Minutes from midnight; `end` may be 1440.
        let start: Int
        let end: Int
        let spread: Bool
    }

    struct EventSet: Sendable, Equatable {
        /// 0 = Sunday … 6 = Saturday; empty for every day.
        let weekdays: Set<Int>
        let windows: [Window]
    }

    let sets: [EventSet]
    public let description: String

    public init(_ text: String) throws {
        var sets: [EventSet] = []
        for part in text.components(separatedBy: ",,") {
            var weekdays = Set<Int>()
            var windows: [Window] = []
            for item in part.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                if let days = Self.weekdays(item) {
                    weekdays.formUnion(days)
                } else {
                    windows += try Self.windows(item, in: text)
                }
            }
            // Weekdays alone mean the whole day, as snapd reads `mon`.
            if windows.isEmpty, !weekdays.isEmpty { windows = [Window(start: 0, end: 1440, spread: false)] }
            guard !windows.isEmpty else { throw DeviceAgentError("cannot parse \"\(text)\": no time in \"\(part)\"") }
            sets.append(EventSet(weekdays: weekdays, windows: windows))
        }
        self.sets = sets
        self.description = text
    }

    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    static func weekdays(_ item: String) -> Set<Int>? {
        let ends = item.split(separator: "-", omittingEmptySubsequences: false).map { String($0).lowercased() }
        guard (1...2).contains(ends.count), let first = dayNames.firstIndex(of: ends[0]) else { return nil }
        guard ends.count == 2 else { return [first] }
        guard let last = dayNames.firstIndex(of: ends[1]) else { return nil }
        var days = Set<Int>()
        var day = first
        while true {
            days.insert(day)
            if day == last { break }
            day = (day + 1) % 7
        }
        return days
    }

    static func windows(_ item: String, in text: String) throws -> [Window] {
        var span = Substring(item)
        var count = 1
        if let slash = span.firstIndex(of: "/") {
            guard let parsed = Int(span[span.index(after: slash)...]), parsed > 0 else {
                throw DeviceAgentError("cannot parse \"\(text)\": \"\(item)\" is not a valid interval")
            }
            count = parsed
            span = span[..<slash]
        }
        let spread = span.contains("~")
        let ends = span.split(whereSeparator: { $0 == "-" || $0 == "~" }).map(String.init)
        guard (1...2).contains(ends.count), let start = minutes(ends[0]), let end = minutes(ends.last ?? "") else {
            throw DeviceAgentError("cannot parse \"\(text)\": \"\(item)\" is not a time or a span of times")
        }
        if ends.count == 1 {
            guard count == 1 else { throw DeviceAgentError("cannot parse \"\(text)\": a single time cannot be split") }
            return [Window(start: start, end: start + 1, spread: false)]
        }
        guard end > start else {
            throw DeviceAgentError("cannot parse \"\(text)\": \"\(item)\" ends before it starts")
        }
        let length = (end - start) / count
        guard length > 0 else { throw DeviceAgentError("cannot parse \"\(text)\": \"\(item)\" is split too finely") }
        return (0..<count).map { Window(start: start + $0 * length, end: start + ($0 + 1) * length, spread: spread) }
    }

    /// `HH:MM`, with `24:00` allowed as an end.
    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]), parts[1].count == 2,
            (0...24).contains(hours), (0..<60).contains(minutes), hours < 24 || minutes == 0
        else { return nil }
        return hours * 60 + minutes
    }

    /// When to refresh next (`timeutil.Next`): the earliest window, walking day by day from
    /// `last`, that has not ended by `now` and does not contain `last`. Already open: now. Else its
    /// start, plus for a spread window a random time within it, short of its last 5 minutes.
    /// Never later than `last` + 95 days.
    public func next(after last: Date, now: Date, using random: inout some RandomNumberGenerator) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let cap = last.addingTimeInterval(Self.maximumPostponement)
        var day = calendar.startOfDay(for: last)
        while day <= cap {
            let weekday = calendar.component(.weekday, from: day) - 1
            let candidates = sets.filter { $0.weekdays.isEmpty || $0.weekdays.contains(weekday) }.flatMap(\.windows)
                .sorted { $0.start < $1.start }
            for window in candidates {
                let start = day.addingTimeInterval(TimeInterval(window.start * 60))
                let end = day.addingTimeInterval(TimeInterval(window.end * 60))
                guard end > now, !(start <= last && last < end) else { continue }
                if start <= now { return now }
                var delay: TimeInterval = 0
                if window.spread {
                    let length = end.timeIntervalSince(start)
                    let room = length > 300 ? length - 300 : length
                    delay = TimeInterval.random(in: 0..<room, using: &random)
                }
                return min(start.addingTimeInterval(delay), cap)
            }
            guard let following = calendar.date(byAdding: .day, value: 1, to: day) else { break }
            day = following
        }
        return max(cap, now)
    }
}
