import Foundation
import StoreProtocol

extension FleetSummary {
    /// The whole fleet's summary and hourly series from the summaries of a split run's shards
    /// (`fleet merge`): counts, failures and traffic are summed; shares, the times to reach them and
    /// the scenario's share checks are worked out again over every device, from when each shard's
    /// devices changed revision; what the stores counted (each replica once, however many shards
    /// drove it) is compared with the sum of the devices' traffic.
    public static func merge(_ summaries: [FleetSummary]) throws -> (FleetSummary, TimeSeries) {
        let shards = try summaries.map { summary -> (FleetSummary, ShardReport) in
            guard let shard = summary.shard else {
                throw FleetError("a summary without a shard report: run each shard with --shard K/N --json")
            }
            return (summary, shard)
        }.sorted { $0.1.index < $1.1.index }
        guard let (first, lead) = shards.first else { throw FleetError("name the shards' summaries to merge") }
        guard shards.map(\.1.index) == Array(1...lead.count), shards.allSatisfy({ $0.1.count == lead.count }) else {
            throw FleetError(
                "run \(lead.run) has \(lead.count) shards; these are \(shards.map { "\($0.1.index)/\($0.1.count)" }.joined(separator: ", "))"
            )
        }
        for (summary, shard) in shards
        where shard.run != lead.run || summary.seed != first.seed || summary.devices != first.devices
            || summary.scenario != first.scenario || summary.snap != first.snap
        {
            throw FleetError(
                "shard \(shard.index) is of run \(shard.run) (seed \(summary.seed), \(summary.devices) devices), "
                    + "shard 1 of run \(lead.run) (seed \(first.seed), \(first.devices) devices)")
        }
        let total = first.devices
        let timeline = Timeline(shards.map(\.1))
        let reports = shards.map(\.1)
        let parts = shards.map(\.0)

        var merged = first
        merged.registered = parts.map(\.registered).reduce(0, +)
        merged.simulatedSeconds = parts.map(\.simulatedSeconds).max() ?? 0
        merged.wallSeconds = parts.map(\.wallSeconds).max() ?? 0
        merged.revisions = parts.map(\.revisions).reduce(into: [:]) { $0.merge($1, uniquingKeysWith: +) }
        merged.timeTo = [:]
        // Wall times of one machine do not add up across several.
        merged.wallSecondsTo = [:]
        if let target = first.target, let since = lead.targetSince {
            for mark in [50.0, 90, 99, 100] {
                if let when = timeline.reached(target, Self.needed(mark, of: total), from: since) {
                    merged.timeTo["\(Int(mark))%"] = when - since
                }
            }
        }
        merged.failures = parts.map(\.failures).reduce(into: [:]) { $0.merge($1, uniquingKeysWith: +) }
        merged.failureExamples = parts.map(\.failureExamples).reduce(into: [:]) {
            $0.merge($1, uniquingKeysWith: { first, _ in first })
        }
        merged.reverts = parts.map(\.reverts).reduce(0, +)
        merged.offlineSkips = parts.map(\.offlineSkips).reduce(0, +)
        merged.devicesNotWorking = parts.map(\.devicesNotWorking).reduce(0, +)
        merged.bytesDownloaded = parts.map(\.bytesDownloaded).reduce(0, +)
        // The shards ran at once: their request rates add up.
        merged.storeRequestsPerSecond = parts.map(\.storeRequestsPerSecond).reduce(0, +)
        merged.memoryPerDeviceBytes =
            zip(parts, reports).map { $0.memoryPerDeviceBytes * $1.devices }.reduce(0, +) / max(1, total)
        merged.expectations = first.expectations.map { expectation in
            if let check = lead.shareChecks.first(where: { $0.step == expectation.step }) {
                return Self.share(check, over: timeline, devices: total)
            }
            if lead.workingChecks.contains(where: { $0.step == expectation.step }) {
                let notWorking = reports.flatMap {
                    $0.workingChecks.first { $0.step == expectation.step }?.notWorking ?? []
                }
                return RunRecord.working(step: expectation.step, notWorking: notWorking, of: total)
            }
            let same = parts.compactMap { $0.expectations.first { $0.step == expectation.step } }
            let found = same.map(\.found).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            return Expectation(
                step: expectation.step, expected: expectation.expected,
                passed: same.count == parts.count && same.allSatisfy(\.passed), found: found.joined(separator: "; "))
        }
        var replicas: [String: TrafficCounts?] = [:]
        for shard in reports where replicas[shard.storeURL] == nil { replicas[shard.storeURL] = shard.store }
        let counted =
            replicas.values.contains { $0 == nil } ? nil : replicas.values.compactMap { $0 }.reduce(TrafficCounts(), +)
        merged.traffic = Traffic(devices: parts.map(\.traffic.devices).reduce(TrafficCounts(), +), store: counted)
        let stops = zip(parts, reports).compactMap { part, shard in part.stopped.map { "shard \(shard.index): \($0)" } }
        merged.stopped = stops.isEmpty ? nil : stops.joined(separator: "; ")
        merged.shard = nil
        let series = try TimeSeries.sum(try reports.map { try TimeSeries.parse(csv: $0.series) })
        return (merged, series)
    }

    static func needed(_ percent: Double, of devices: Int) -> Int {
        Int((percent / 100 * Double(devices)).rounded(.up))
    }

    /// An `expect: {revision, at-least, by}` checked over every shard's devices, worded as a
    /// single run words it.
    private static func share(_ check: ShardReport.ShareCheck, over timeline: Timeline, devices: Int) -> Expectation {
        let count = timeline.devices(on: check.revision, at: check.seconds)
        let share = Double(count) / Double(devices) * 100
        let when = timeline.reached(check.revision, needed(check.percent, of: devices), from: nil)
        let inTime = check.by.map { limit in when.map { $0 <= limit } ?? false } ?? true
        var found = String(format: "%.1f %% on r\(check.revision) at %@", share, duration(check.seconds))
        if let when { found += ", \(check.percent.formatted()) % reached at \(duration(when))" }
        return Expectation(
            step: check.step,
            expected: "at least \(check.percent.formatted()) % on r\(check.revision)"
                + (check.by.map { " by \(duration($0))" } ?? ""),
            passed: share >= check.percent && inTime, found: found)
    }

    /// Devices per revision over the whole fleet, from when each shard's changed.
    struct Timeline {
        /// Seconds after the start, and the whole fleet's devices per revision from then on.
        private(set) var points: [(seconds: Double, devices: [String: Int])] = []

        init(_ shards: [ShardReport]) {
            let times = Set(shards.flatMap { $0.changes.map(\.seconds) }).sorted()
            var next = [Int](repeating: 0, count: shards.count)
            var current = shards.map { ["none": $0.devices] }
            for time in times {
                for (position, shard) in shards.enumerated() {
                    while next[position] < shard.changes.count, shard.changes[next[position]].seconds <= time {
                        current[position] = shard.changes[next[position]].devices
                        next[position] += 1
                    }
                }
                points.append((time, current.reduce(into: [:]) { $0.merge($1, uniquingKeysWith: +) }))
            }
        }

        func devices(on revision: Int, at seconds: Double) -> Int {
            points.last(where: { $0.seconds <= seconds })?.devices[String(revision)] ?? 0
        }

        /// When at least `needed` devices first ran `revision` (after `from`, when given).
        func reached(_ revision: Int, _ needed: Int, from: Double?) -> Double? {
            points.first { point in
                (from.map { point.seconds > $0 } ?? true) && point.devices[String(revision), default: 0] >= needed
            }?.seconds
        }
    }
}
