import DeviceAgent
import Foundation

/// One device of a fleet: the real agent on memory storage, with the draws that make it this
/// device (its boot time, its refresh windows, when it is offline). The fleet runs at most one
/// step of a device at a time.
final class SimulatedDevice: @unchecked Sendable {
    /// What one step of a device did.
    struct Outcome: Sendable {
        var next: Date
        var failures: [(cause: FailureCause, reason: String)] = []
        var refreshed = 0
        var offline = false
        /// The store could not be reached at all.
        var unreachable = false
    }

    let index: Int
    let serial: String
    var agent: Agent
    var random: SeededRandom
    private(set) var booted = false
    private var offlineUntil: Date?
    private var lastStep: Date?
    /// The followed snap's current revision, nil while it is not installed.
    private(set) var revision: Int?

    init(index: Int, serial: String, agent: Agent, random: SeededRandom) {
        self.index = index
        self.serial = serial
        self.agent = agent
        self.random = random
    }

    /// `brand/model/serial`, as the store keys devices.
    var serialKey: String { "\(agent.model.brandID)/\(agent.model.model)/\(serial)" }

    /// What the device does at `now`: power on (seed and register) the first time, then scheduled
    /// refreshes, unless it is offline. Returns when it is next due.
    func step(at now: Date, following snap: String, offlinePerDay: Double) async -> Outcome {
        defer { lastStep = now }
        if !booted {
            do {
                let state = try await agent.boot()
                booted = true
                revision = state.snap(named: snap)?.current
                return Outcome(next: try agent.nextRefresh(now: now, using: &random).addingTimeInterval(1))
            } catch {
                // snapd tries registration again on its ensure loop, backing off to minutes.
                return Outcome(
                    next: now.addingTimeInterval(300 + Double.random(in: 0..<60, using: &random)),
                    failures: [(FailureCause(reason: "\(error)"), "\(error)")],
                    unreachable: FailureCause(reason: "\(error)") == .unreachable)
            }
        }
        let elapsed = lastStep.map { now.timeIntervalSince($0) } ?? 0
        if offlineUntil.map({ $0 <= now }) ?? false { offlineUntil = nil }
        if offlineUntil == nil, offlinePerDay > 0,
            Double.random(in: 0..<1, using: &random) < offlinePerDay * elapsed / 86400
        {
            offlineUntil = now.addingTimeInterval(Double.random(in: 3600..<43200, using: &random))
        }
        if offlineUntil != nil {
            // snapd's auto-refresh finds no network and tries again after its retry delay.
            return Outcome(next: now.addingTimeInterval(retryDelay()), offline: true)
        }
        var outcome = Outcome(next: now)
        do {
            let report = try await agent.refresh(scheduled: true)
            outcome.refreshed = report.refreshed.count
            outcome.failures = report.failed.map { (FailureCause(reason: $0.reason), $0.reason) }
            outcome.next = try agent.nextRefresh(now: now, using: &random)
        } catch {
            let cause = FailureCause(reason: "\(error)")
            outcome.failures = [(cause, "\(error)")]
            outcome.unreachable = cause == .unreachable
            outcome.next = now.addingTimeInterval(retryDelay())
        }
        revision = (try? agent.state())?.snap(named: snap)?.current
        if outcome.next <= now { outcome.next = now.addingTimeInterval(1) }
        return outcome
    }

    /// Whether every installed snap has its current revision whole on the device, and nothing is
    /// left half-done.
    var isWorking: Bool {
        guard booted, let state = try? agent.state() else { return !booted }
        let whole = state.snaps.allSatisfy(agent.hasCurrentFile)
        return whole && !state.changes.contains { $0.status == .doing && $0.snap != nil }
    }

    private func retryDelay() -> TimeInterval {
        Agent.retryDelay + Double.random(in: 0..<60, using: &random)
    }
}
