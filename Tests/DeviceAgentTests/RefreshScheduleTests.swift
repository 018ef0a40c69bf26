import DeviceAgent
import Foundation
import Testing

/// snapd's `refresh.timer` and its choice of the next refresh (`timeutil/schedule.go`), with a
/// seeded random source so the spread is reproducible.
@Suite struct RefreshScheduleTests {
    struct Seeded: RandomNumberGenerator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func time(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text) ?? Date(timeIntervalSince1970: 0)
    }

    /// The doc's own check of snapd's default at 08:47: a refresh at 08:37 waits for a random time
    /// in the next window, 12:00–17:55; one at 05:47, in the previous window, goes at once.
    @Test func theDefaultScheduleRefreshesOncePerSixHourWindow() throws {
        let schedule = try RefreshSchedule(RefreshSchedule.snapdDefault)
        let now = Self.time("2026-11-30T08:47:00Z")
        var random = Seeded(state: 1)
        var seen: [Date] = []
        for _ in 0..<200 {
            let next = schedule.next(after: Self.time("2026-11-30T08:37:00Z"), now: now, using: &random)
            #expect(next >= Self.time("2026-11-30T12:00:00Z") && next < Self.time("2026-11-30T17:55:00Z"), "\(next)")
            seen.append(next)
        }
        #expect(Set(seen).count > 150, "spread over the window, not one instant")
        #expect(schedule.next(after: Self.time("2026-11-30T05:47:00Z"), now: now, using: &random) == now)
    }

    @Test func weekdaysExactTimesAndSplitsAreRead() throws {
        var random = Seeded(state: 2)
        // Monday 2026-11-30: the next Friday 15:00 exactly.
        let friday = try RefreshSchedule("fri,15:00")
        #expect(
            friday.next(
                after: Self.time("2026-11-30T09:00:00Z"), now: Self.time("2026-11-30T09:00:00Z"), using: &random)
                == Self.time("2026-12-04T15:00:00Z"))
        // Two unspread windows on weekdays: 9–10 and 10–11; after 9:30, the second starts at 10:00.
        let split = try RefreshSchedule("mon-fri,9:00-11:00/2")
        #expect(
            split.next(after: Self.time("2026-11-30T09:30:00Z"), now: Self.time("2026-11-30T09:30:00Z"), using: &random)
                == Self.time("2026-11-30T10:00:00Z"))
        // Ordinals: the month's first Monday, its last Friday, the first week's working days.
        let monday = Self.time("2026-11-30T09:00:00Z")
        #expect(
            try RefreshSchedule("mon1,10:00").next(after: monday, now: monday, using: &random)
                == Self.time("2026-12-07T10:00:00Z"))
        #expect(
            try RefreshSchedule("fri5,10:00").next(after: monday, now: monday, using: &random)
                == Self.time("2026-12-25T10:00:00Z"))
        #expect(
            try RefreshSchedule("tue1-thu1,10:00").next(after: monday, now: monday, using: &random)
                == Self.time("2026-12-01T10:00:00Z"))
        #expect(throws: DeviceAgentError.self) { try RefreshSchedule("mon1-fri2,10:00") }
        // Event sets: Monday mornings or Wednesday nights.
        let sets = try RefreshSchedule("mon,9:00~11:00,,wed,22:00~23:00")
        let next = sets.next(
            after: Self.time("2026-11-30T10:00:00Z"), now: Self.time("2026-11-30T12:00:00Z"), using: &random)
        #expect(next >= Self.time("2026-12-02T22:00:00Z") && next < Self.time("2026-12-02T23:00:00Z"), "\(next)")
    }

    @Test func whatSnapdRefusesIsRefused() {
        for bad in ["", "25:00", "9:00-8:00", "10:00/2", "9:00~11:00/0", "someday,10:00", "9:60"] {
            #expect(throws: DeviceAgentError.self, "\(bad)") { try RefreshSchedule(bad) }
        }
    }

    @Test func aDeviceIsNeverLeftLongerThanNinetyFiveDays() throws {
        var random = Seeded(state: 3)
        let last = Self.time("2026-01-01T00:00:00Z")
        // February 30th never comes; the cap does.
        let schedule = try RefreshSchedule("mon,10:00")
        let next = schedule.next(after: last, now: last, using: &random)
        #expect(next <= last.addingTimeInterval(RefreshSchedule.maximumPostponement))
    }
}
