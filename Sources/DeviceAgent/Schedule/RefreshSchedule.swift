import Foundation

/// snapd's `refresh.timer` (`timeutil/schedule.go`): event sets separated by `,,`, each of optional
/// weekdays (`mon`, `mon-fri`) and clock spans — `10:00` (exact), `9:00-11:00`, `9:00~11:00`
/// (`~`: a random time within), `/N` splitting a span into N windows; a weekday with an ordinal
/// (`mon1`: the month's first Monday, `fri5`: its last Friday). Times are the device's
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

    /// A weekday (0 = Sunday … 6 = Saturday), with an ordinal within the month (1–4, or 5 for
    /// the last) when one was given.
    struct Day: Sendable, Hashable {
        let weekday: Int
        let ordinal: Int?

        func matches(weekday: Int, dayOfMonth: Int, daysInMonth: Int) -> Bool {
            guard weekday == self.weekday else { return false }
            switch ordinal {
            case nil: return true
            case 5: return dayOfMonth + 7 > daysInMonth
            case let n?: return (n - 1) * 7 < dayOfMonth && dayOfMonth <= n * 7
            }
        }
    }

    struct EventSet: Sendable, Equatable {
        /// Empty for every day.
        let days: Set<Day>
        let windows: [Window]
    }

    let sets: [EventSet]
    public let description: String

    public init(_ text: String) throws {
        var sets: [EventSet] = []
        for part in text.components(separatedBy: ",,") {
            var weekdays = Set<Day>()
            var windows: [Window] = []
            for item in part.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                if let days = try Self.weekdays(item, in: text) {
                    weekdays.formUnion(days)
                } else {
                    windows += try Self.windows(item, in: text)
                }
            }
            // Weekdays alone mean the whole day, as snapd reads `mon`.
            if windows.isEmpty, !weekdays.isEmpty { windows = [Window(start: 0, end: 1440, spread: false)] }
            guard !windows.isEmpty else { throw DeviceAgentError("cannot parse \"\(text)\": no time in \"\(part)\"") }
            sets.append(EventSet(days: weekdays, windows: windows))
        }
        self.sets = sets
        self.description = text
    }

    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// `mon`, `mon-fri`, `mon1`, `mon1-fri1` (a range keeps one ordinal, as snapd requires).
    static func weekdays(_ item: String, in text: String) throws -> Set<Day>? {
        func day(_ text: String) -> (Int, Int?)? {
            let name = String(text.prefix(3)).lowercased()
            guard let weekday = dayNames.firstIndex(of: name) else { return nil }
            let rest = text.dropFirst(3)
            guard !rest.isEmpty else { return (weekday, nil) }
            guard let ordinal = Int(rest), (1...5).contains(ordinal) else { return nil }
            return (weekday, ordinal)
        }
        let ends = item.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard (1...2).contains(ends.count), let first = day(ends[0]) else { return nil }
        guard ends.count == 2 else { return [Day(weekday: first.0, ordinal: first.1)] }
        guard let last = day(ends[1]) else { return nil }
        guard first.1 == last.1 else {
            throw DeviceAgentError("cannot parse \"\(text)\": \"\(item)\" mixes weekdays of different weeks")
        }
        var days = Set<Day>()
        var weekday = first.0
        while true {
            days.insert(Day(weekday: weekday, ordinal: first.1))
            if weekday == last.0 { break }
            weekday = (weekday + 1) % 7
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
            let dayOfMonth = calendar.component(.day, from: day)
            let daysInMonth = calendar.range(of: .day, in: .month, for: day)?.count ?? 31
            let candidates = sets.filter { set in
                set.days.isEmpty
                    || set.days.contains {
                        $0.matches(weekday: weekday, dayOfMonth: dayOfMonth, daysInMonth: daysInMonth)
                    }
            }
            .flatMap(\.windows).sorted { $0.start < $1.start }
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
