import StoreProtocol

/// Rollouts the store steers: their live counts, their health gates, and what a release manager
/// does with them (`rollout show | resume | complete | abort`).
extension SnapStore {
    /// One rollout of a snap as a release manager sees it: where, what, to whom, and how it goes.
    public struct RolloutView: Sendable, Codable, Equatable {
        public let channel: String
        public let revision: Int
        public let percentage: Double
        public let paused: Bool
        public let group: String?
        public let gate: ChannelRelease.HealthGate?
        public let halt: ChannelRelease.Halt?
        /// Devices that tried the revision since the release (or the last resume), and those of
        /// them that failed.
        public let attempts: Int
        public let failures: Int
    }

    public enum RolloutAction: String, Sendable, Codable {
        case resume, complete, abort
    }

    public func rollouts(name: String, store: String? = nil) async throws -> [RolloutView] {
        let snap = try await self.snap(named: name, store: store)
        let map = try await catalogue.channelMap(snapID: snap.snapID)
        var views: [RolloutView] = []
        for rollout in map.rollouts {
            let counts = try await catalogue.rolloutOutcome(
                snapID: snap.snapID, revision: rollout.revision, eventsAfter: rollout.progressive.eventsAfter)
            views.append(
                RolloutView(
                    channel: rollout.channel.name, revision: rollout.revision,
                    percentage: rollout.progressive.percentage, paused: rollout.progressive.paused,
                    group: rollout.progressive.group, gate: rollout.progressive.gate, halt: rollout.progressive.halt,
                    attempts: counts.attempts, failures: counts.failures))
        }
        return views
    }

    /// Resumes a halted or paused rollout (its gate counts afresh), completes it (every device of
    /// the channel gets the revision), or aborts it (every device is offered the channel's other
    /// release again).
    public func rollout(
        _ action: RolloutAction, name: String, store: String? = nil, channel text: String, by principal: Principal
    ) async throws -> ChannelMap {
        let snap = try await self.snap(named: name, store: store)
        try requirePublisher(snap, principal, .release)
        return try await exclusively(onSnap: snap.snapID) {
            var map = try await catalogue.channelMap(snapID: snap.snapID)
            let channel = try releasableChannel(text, map: map, by: principal)
            let now = clock().seconds
            let revision = map.rollouts.first { $0.channel == channel }?.revision
            let eventsAfter = try await catalogue.lastDeviceEventID()
            do {
                switch action {
                case .resume: try map.resume(channel, eventsAfter: eventsAfter)
                case .complete: try map.setProgressive(channel, percentage: 100, paused: nil)
                case .abort: try map.abort(channel)
                }
            } catch {
                throw StoreError(.invalid, "\(error)")
            }
            let event = ReleaseEvent(
                snapID: snap.snapID, channel: channel.name, architectures: [], revision: revision,
                action: action == .complete ? .release : action == .resume ? .resume : .abort,
                percentage: action == .complete ? 100 : nil, accountID: principal.accountID, at: now)
            try await catalogue.setChannelMap(snapID: snap.snapID, map, events: [event])
            return map
        }
    }

    /// Halts the rollouts of these snaps whose health gate the devices' failures have crossed: they
    /// stop reaching devices, and the release history says why, with the counts. Called after a
    /// device's report or attempt is recorded. Returns whether any halted.
    @discardableResult
    func enforceHealthGates(_ dossiers: [SnapDossier]) async throws -> Bool {
        var halted = false
        // The snapshot only says where to look: the gate is checked on the map as it is now.
        for dossier in dossiers where dossier.channelMap.hasOpenHealthGate {
            if try await enforceHealthGates(of: dossier.snap.snapID) { halted = true }
        }
        return halted
    }

    /// The same for one snap, on its current channel map, while no other change of it runs.
    private func enforceHealthGates(of snapID: String) async throws -> Bool {
        try await exclusively(onSnap: snapID) {
            var map = try await catalogue.channelMap(snapID: snapID)
            var events: [ReleaseEvent] = []
            for rollout in map.rollouts where rollout.progressive.halt == nil {
                guard let gate = rollout.progressive.gate else { continue }
                let counts = try await catalogue.rolloutOutcome(
                    snapID: snapID, revision: rollout.revision, eventsAfter: rollout.progressive.eventsAfter)
                guard gate.trips(failures: counts.failures, attempts: counts.attempts) else { continue }
                let now = clock().seconds
                let reason =
                    "\(counts.failures) of \(counts.attempts) devices failed with revision \(rollout.revision): "
                    + gate.description
                map.halt(
                    rollout.channel, revision: rollout.revision,
                    ChannelRelease.Halt(reason: reason, failures: counts.failures, attempts: counts.attempts, at: now))
                events.append(
                    ReleaseEvent(
                        snapID: snapID, channel: rollout.channel.name, architectures: [], revision: rollout.revision,
                        action: .halt, percentage: rollout.progressive.percentage, accountID: nil, at: now,
                        group: rollout.progressive.group, detail: reason))
            }
            guard !events.isEmpty else { return false }
            try await catalogue.setChannelMap(snapID: snapID, map, events: events)
            return true
        }
    }
}
