import Foundation

/// How a split run's shards keep one scenario: before a step that changes the store, every shard
/// notes at the store that it ran every tick before the step (its party is its index); the first
/// shard waits until all are there, applies the step once and notes the outcome (party 0); the
/// others wait for that outcome. No shard's devices see a step before the others reach it, and no
/// step is applied twice (a second release would restart a rollout's health-gate count).
struct ShardRendezvous: Sendable {
    let shard: FleetShard
    let control: any FleetStoreControl
    /// The step after the last, where the shards meet to end the run (or say one stopped).
    let endStep: Int
    /// How long a shard waits for the others at one step.
    var patience: Duration = .seconds(600)

    static let failed = "failed: "

    /// Refuses a run name already used: its notes would let this run's shards pass unsynchronised.
    /// (Other shards of this run may be there already: only this shard's own place, or an end,
    /// tells of an earlier run.)
    func checkNew() async throws {
        let started = try await control.rendezvous(run: shard.run, step: 0)
        let ended = try await control.rendezvous(run: shard.run, step: endStep)
        if started[shard.index] != nil || !ended.isEmpty {
            throw FleetError("fleet run \"\(shard.run)\" was used before: name a new run with --run")
        }
    }

    /// Meets the other shards at `step` with `note`. The first shard runs `apply` with every
    /// shard's note once all are there; every shard returns its outcome.
    func meet(step: Int, note: String, apply: ([Int: String]) async throws -> String) async throws -> String {
        var there = try await control.meet(run: shard.run, step: step, party: shard.index, note: note)
        let started = ContinuousClock.now
        var pause = Duration.milliseconds(10)
        while true {
            if shard.isConductor, (1...shard.count).allSatisfy({ there[$0] != nil }) {
                let outcome: String
                do {
                    outcome = try await apply(there)
                } catch {
                    _ = try? await control.meet(
                        run: shard.run, step: step, party: 0, note: Self.failed + "\(error)")
                    throw error
                }
                _ = try await control.meet(run: shard.run, step: step, party: 0, note: outcome)
                return outcome
            }
            if !shard.isConductor, let outcome = there[0] {
                if outcome.hasPrefix(Self.failed) {
                    throw FleetError("shard 1 could not apply step \(step): \(outcome.dropFirst(Self.failed.count))")
                }
                return outcome
            }
            if step != endStep,
                let stopped = try await control.rendezvous(run: shard.run, step: endStep)
                    .first(where: { $0.value.hasPrefix(Self.failed) })
            {
                throw FleetError("shard \(stopped.key) stopped: \(stopped.value.dropFirst(Self.failed.count))")
            }
            guard ContinuousClock.now - started < patience else {
                let missing =
                    shard.isConductor
                    ? (1...shard.count).filter { there[$0] == nil }.map { "shard \($0)" }.joined(separator: ", ")
                    : "shard 1"
                throw FleetError("waited \(patience) at step \(step) of run \"\(shard.run)\" for \(missing)")
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(200))
            there = try await control.rendezvous(run: shard.run, step: step)
        }
    }

    /// Tells the other shards this one stopped early, so that they stop instead of waiting.
    func stopped(_ reason: String) async {
        _ = try? await control.meet(run: shard.run, step: endStep, party: shard.index, note: Self.failed + reason)
    }
}
