import Foundation
import StoreProtocol

/// What a run has seen so far: devices per revision, failures, when shares were reached, the
/// hourly samples and the scenario's expectations as they were checked.
struct RunRecord {
    let settings: FleetConfiguration
    let scenario: Scenario?
    private(set) var counts: [Int: Int]
    private(set) var registered = 0
    private var failures: [FailureCause: Int] = [:]
    private var examples: [FailureCause: String] = [:]
    private var reverts = 0
    private var offlineSkips = 0
    private var failuresThisHour = 0
    private var failuresTotal = 0
    /// Shares to watch, revision and percent, with when each was first reached.
    private var reached: [Share: (simulated: Date, wall: Date)] = [:]
    private var watched: Set<Share> = []
    /// The revision of the run's last release and when it was first released.
    private var target: (revision: Int, since: Date, wall: Date)?
    private(set) var series = TimeSeries()
    private var expectations: [FleetSummary.Expectation] = []
    /// Devices per revision after each tick that changed them, for a shard's report.
    private var changes: [ShardReport.Change] = []
    private var changedThisTick = true
    private var shareChecks: [ShardReport.ShareCheck] = []
    private var workingChecks: [ShardReport.WorkingCheck] = []
    /// Devices (by index) in each group a scenario step made.
    var groups: [String: Set<Int>] = [:]
    var stopped: String?

    struct Share: Hashable {
        let revision: Int
        let percent: Double
    }

    static let marks: [Double] = [50, 90, 99, 100]

    init(settings: FleetConfiguration, scenario: Scenario?) {
        self.settings = settings
        self.scenario = scenario
        counts = [0: settings.localDevices]
        for step in scenario?.steps ?? [] {
            if case .expect(.revisionShare(let revision, let percent, _)) = step {
                watched.insert(Share(revision: revision, percent: percent))
            }
        }
    }

    mutating func released(_ release: Scenario.Release, at time: Date) {
        if target?.revision != release.revision { target = (release.revision, time, Date()) }
        for mark in Self.marks { watched.insert(Share(revision: release.revision, percent: mark)) }
    }

    mutating func record(
        _ outcome: SimulatedDevice.Outcome, from before: (revision: Int?, booted: Bool),
        to after: (revision: Int?, booted: Bool)
    ) {
        if before.revision != after.revision {
            changedThisTick = true
            counts[before.revision ?? 0, default: 0] -= 1
            counts[after.revision ?? 0, default: 0] += 1
        }
        if !before.booted, after.booted { registered += 1 }
        if outcome.offline { offlineSkips += 1 }
        for (cause, reason) in outcome.failures {
            failures[cause, default: 0] += 1
            if examples[cause] == nil { examples[cause] = reason }
            if cause.isRevert { reverts += 1 }
        }
        failuresThisHour += outcome.failures.count
        failuresTotal += outcome.failures.count
    }

    /// Notes the shares reached by the end of a tick.
    mutating func markReached(at time: Date) {
        if changedThisTick {
            changedThisTick = false
            changes.append(.init(seconds: time.timeIntervalSince(settings.start), devices: Self.named(counts)))
        }
        for share in watched where reached[share] == nil {
            let needed = FleetSummary.needed(share.percent, of: settings.localDevices)
            if counts[share.revision, default: 0] >= needed { reached[share] = (time, Date()) }
        }
    }

    mutating func sample(at hour: Double) {
        series.append(.init(hour: hour, devices: counts.filter { $0.value > 0 }, failures: failuresThisHour))
        failuresThisHour = 0
    }

    func progress(at seconds: Double, requests: Int, wallSeconds: Double) -> FleetProgress {
        FleetProgress(
            simulatedSeconds: seconds, registered: registered, devices: settings.devices,
            revisions: counts.filter { $0.value > 0 }, failures: failuresTotal,
            requestsPerSecond: wallSeconds > 0 ? Double(requests) / wallSeconds : 0)
    }

    mutating func check(
        _ expectation: Scenario.Expectation, number: Int, at now: Date, devices: [SimulatedDevice],
        control: any FleetStoreControl
    ) async throws {
        let elapsed = now.timeIntervalSince(settings.start)
        switch expectation {
        case .revisionShare(let revision, let percent, let by):
            shareChecks.append(
                .init(step: number, seconds: elapsed, revision: revision, percent: percent, by: by))
            let share = Double(counts[revision, default: 0]) / Double(settings.localDevices) * 100
            let when = reached[Share(revision: revision, percent: percent)]?.simulated
            let inTime = by.map { limit in when.map { $0.timeIntervalSince(settings.start) <= limit } ?? false } ?? true
            var found = String(format: "%.1f %% on r\(revision) at %@", share, FleetSummary.duration(elapsed))
            if let when {
                found +=
                    ", \(percent.formatted()) % reached at \(FleetSummary.duration(when.timeIntervalSince(settings.start)))"
            }
            expectations.append(
                .init(
                    step: number,
                    expected: "at least \(percent.formatted()) % on r\(revision)"
                        + (by.map { " by \(FleetSummary.duration($0))" } ?? ""),
                    passed: share >= percent && inTime, found: found))
        case .rollout(let wanted):
            let channel =
                scenario?.steps.reversed().compactMap { step -> String? in
                    if case .release(let release) = step { return release.channel }
                    return nil
                }.first ?? "stable"
            let (state, detail) = try await control.rolloutState(of: settings.snap, channel: channel)
            expectations.append(
                .init(
                    step: number, expected: "rollout \(wanted)", passed: state == wanted,
                    found: detail.isEmpty ? state : "\(state): \(detail)"))
        case .everyDeviceWorking:
            let broken = devices.filter { !$0.isWorking }.map(\.serial)
            workingChecks.append(.init(step: number, notWorking: broken))
            expectations.append(Self.working(step: number, notWorking: broken, of: devices.count))
        }
    }

    /// An every-device-working check's finding.
    static func working(step: Int, notWorking: [String], of devices: Int) -> FleetSummary.Expectation {
        .init(
            step: step, expected: "every device has a working revision of every snap", passed: notWorking.isEmpty,
            found: notWorking.isEmpty
                ? "all \(devices) do"
                : "\(notWorking.count) do not, e.g. \(notWorking.prefix(3).joined(separator: ", "))")
    }

    func summary(
        simulatedSeconds: Double, wallSeconds: Double, devicesNotWorking: Int, traffic: TrafficCounts,
        store: TrafficCounts?, memoryPerDevice: Int
    ) -> FleetSummary {
        var timeTo: [String: Double] = [:]
        var wallTo: [String: Double] = [:]
        if let target {
            for mark in Self.marks {
                if let when = reached[Share(revision: target.revision, percent: mark)] {
                    timeTo["\(Int(mark))%"] = max(0, when.simulated.timeIntervalSince(target.since))
                    wallTo["\(Int(mark))%"] = max(0, when.wall.timeIntervalSince(target.wall))
                }
            }
        }
        return FleetSummary(
            scenario: scenario?.name, snap: settings.snap, devices: settings.devices, seed: settings.seed,
            registered: registered, simulatedSeconds: simulatedSeconds, wallSeconds: wallSeconds,
            revisions: Self.named(counts),
            target: target?.revision, timeTo: timeTo, wallSecondsTo: wallTo,
            failures: Dictionary(uniqueKeysWithValues: failures.map { ($0.key.rawValue, $0.value) }),
            failureExamples: Dictionary(uniqueKeysWithValues: examples.map { ($0.key.rawValue, $0.value) }),
            reverts: reverts, offlineSkips: offlineSkips, devicesNotWorking: devicesNotWorking,
            bytesDownloaded: traffic.downloadBytes,
            storeRequestsPerSecond: wallSeconds > 0 ? Double(traffic.requests) / wallSeconds : 0,
            memoryPerDeviceBytes: memoryPerDevice, expectations: expectations,
            traffic: .init(devices: traffic, store: store),
            stopped: stopped)
    }

    /// What a shard reports beside its summary, for `fleet merge`.
    func shardReport(_ shard: FleetShard, storeURL: String, store: TrafficCounts?) -> ShardReport {
        ShardReport(
            index: shard.index, count: shard.count, run: shard.run, devices: settings.localDevices, storeURL: storeURL,
            changes: changes,
            shareChecks: shareChecks, workingChecks: workingChecks,
            targetSince: target.map { $0.since.timeIntervalSince(settings.start) },
            series: series.csv, store: store)
    }

    /// Devices per revision as summaries name them ("none": without the snap), counts above 0.
    static func named(_ counts: [Int: Int]) -> [String: Int] {
        Dictionary(
            uniqueKeysWithValues: counts.filter { $0.value > 0 }.map {
                ($0.key == 0 ? "none" : String($0.key), $0.value)
            })
    }
}
