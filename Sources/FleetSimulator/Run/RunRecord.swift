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
        counts = [0: settings.devices]
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
        for share in watched where reached[share] == nil {
            let needed = Int((share.percent / 100 * Double(settings.devices)).rounded(.up))
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
            let share = Double(counts[revision, default: 0]) / Double(settings.devices) * 100
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
            let broken = devices.filter { !$0.isWorking }
            expectations.append(
                .init(
                    step: number, expected: "every device has a working revision of every snap",
                    passed: broken.isEmpty,
                    found: broken.isEmpty
                        ? "all \(devices.count) do"
                        : "\(broken.count) do not, e.g. \(broken.prefix(3).map(\.serial).joined(separator: ", "))"))
        }
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
        var mismatches: [String] = []
        if let store {
            let compared: [(String, Int, Int)] = [
                ("snap actions", traffic.snapActions, store.snapActions),
                ("downloads", traffic.downloads, store.downloads),
                ("download bytes", traffic.downloadBytes, store.downloadBytes),
                ("deltas", traffic.deltaDownloads, store.deltaDownloads),
                ("serials", traffic.serials, store.serials),
                ("sessions", traffic.sessions, store.sessions),
            ]
            for (name, fleet, counted) in compared where fleet != counted {
                mismatches.append("\(name): fleet \(fleet), store \(counted)")
            }
        }
        return FleetSummary(
            scenario: scenario?.name, snap: settings.snap, devices: settings.devices, seed: settings.seed,
            registered: registered, simulatedSeconds: simulatedSeconds, wallSeconds: wallSeconds,
            revisions: Dictionary(
                uniqueKeysWithValues: counts.filter { $0.value > 0 }.map {
                    ($0.key == 0 ? "none" : String($0.key), $0.value)
                }),
            target: target?.revision, timeTo: timeTo, wallSecondsTo: wallTo,
            failures: Dictionary(uniqueKeysWithValues: failures.map { ($0.key.rawValue, $0.value) }),
            failureExamples: Dictionary(uniqueKeysWithValues: examples.map { ($0.key.rawValue, $0.value) }),
            reverts: reverts, offlineSkips: offlineSkips, devicesNotWorking: devicesNotWorking,
            bytesDownloaded: traffic.downloadBytes,
            storeRequestsPerSecond: wallSeconds > 0 ? Double(traffic.requests) / wallSeconds : 0,
            memoryPerDeviceBytes: memoryPerDevice, expectations: expectations,
            traffic: .init(
                devices: traffic, store: store, matches: store.map { _ in mismatches.isEmpty },
                mismatches: mismatches),
            stopped: stopped)
    }
}
