import Assertions
import StoreProtocol

/// A snap's channel map as a `snapcraft status` table shows it.
public struct SnapStatus: Sendable, Codable {
    public struct Row: Sendable, Codable {
        public let track: String
        public let risk: String
        public let architecture: String
        /// nil when the channel follows a safer one (`following` true) or is closed.
        public let revision: Int?
        public let version: String?
        public let following: Bool
        public let progressiveRevision: Int?
        public let progressivePercentage: Double?
        public let progressivePaused: Bool?
        /// The group a targeted rollout goes to, and why its health gate halted it.
        public var progressiveGroup: String? = nil
        public var progressiveHalt: String? = nil
    }

    public let name: String
    public let snapID: String
    public let defaultTrack: String
    public let rows: [Row]
    public let branches: [ChannelRelease]
    /// Every rollout under way, with its live counts.
    public var rollouts: [SnapStore.RolloutView] = []
}

extension SnapStore {
    /// Releases a revision into channels (`edge`, `2.0/candidate`, `stable/hotfix`), optionally to
    /// a share of devices only.
    public func release(
        name: String, store: String? = nil, revision: Int, channels: [String], progressive: Double? = nil,
        group: String? = nil, gate: ChannelRelease.HealthGate? = nil, by principal: Principal
    ) async throws -> ChannelMap {
        let snap = try await self.snap(named: name, store: store)
        try requirePublisher(snap, principal, .release)
        guard let record = try await catalogue.revision(snapID: snap.snapID, revision: revision) else {
            throw StoreError(.notFound, "\(name) has no revision \(revision)")
        }
        guard !channels.isEmpty else { throw StoreError(.invalid, "name at least one channel to release to") }
        if let group {
            let (_, members) = try await self.group(named: group, by: principal)
            guard !members.isEmpty else {
                throw StoreError(.invalid, "group \(group) has no devices yet: a release to it would reach nobody")
            }
        }
        if let gate {
            if let percent = gate.failurePercent, !(percent > 0 && percent <= 100) {
                throw StoreError(
                    .invalid, "a failure threshold is a share above 0 % and at most 100 %, not \(percent) %")
            }
            if let count = gate.failureCount, count < 1 {
                throw StoreError(.invalid, "a failure threshold counts at least 1 device, not \(count)")
            }
            guard (gate.failurePercent == nil) != (gate.failureCount == nil), gate.minimumAttempts >= 1 else {
                throw StoreError(.invalid, "a health gate is one share or one count, after at least 1 attempt")
            }
        }
        return try await exclusively(onSnap: snap.snapID) {
            let held = try await catalogue.channelMap(snapID: snap.snapID).releases
                .filter { record.architectures.contains($0.architecture) || record.architectures.contains("all") }
                .map(\.revision)
            let (map, events) = try await releasing(
                record, into: channels, progressive: progressive, group: group, gate: gate, snap: snap, by: principal,
                now: clock())
            try await catalogue.setChannelMap(snapID: snap.snapID, map ?? ChannelMap(), events: events)
            // What devices hold now is what the released channels held: their deltas, made ahead.
            queueDeltas(snapID: snap.snapID, from: held, to: revision)
            return map ?? ChannelMap()
        }
    }

    /// The channel map after releasing `record` into `channels`, and the history events for it.
    func releasing(
        _ record: RevisionRecord, into channels: [String], progressive: Double? = nil, group: String? = nil,
        gate: ChannelRelease.HealthGate? = nil, snap: SnapRecord, by principal: Principal, now: Timestamp
    ) async throws -> (ChannelMap?, [ReleaseEvent]) {
        guard !channels.isEmpty else { return (nil, []) }
        var map = try await catalogue.channelMap(snapID: snap.snapID)
        var events: [ReleaseEvent] = []
        let eventsAfter = try await catalogue.lastDeviceEventID()
        for text in channels {
            let channel = try releasableChannel(text, map: map, by: principal)
            do {
                try map.release(
                    revision: record.revision, architectures: record.architectures, into: channel,
                    progressive: progressive, group: group, gate: gate, eventsAfter: eventsAfter, at: now.seconds)
            } catch {
                throw StoreError(.invalid, error.description)
            }
            let rollout = group != nil || gate != nil || progressive.map { $0 < 100 } == true
            events.append(
                ReleaseEvent(
                    snapID: snap.snapID, channel: channel.name, architectures: record.architectures,
                    revision: record.revision, action: rollout ? .progressive : .release,
                    percentage: progressive, accountID: principal.accountID, at: now.seconds, group: group,
                    detail: gate?.description))
        }
        return (map, events)
    }

    /// `snapcraft promote`: releases into `target` the revision `source` holds for each
    /// architecture (its completed release; a rollout under way there stays where it is), in one
    /// write, so that no device sees half a promotion.
    public func promote(
        name: String, store: String? = nil, from source: String, to target: String, by principal: Principal
    ) async throws -> ChannelMap {
        let snap = try await self.snap(named: name, store: store)
        try requirePublisher(snap, principal, .release)
        return try await exclusively(onSnap: snap.snapID) {
            var map = try await catalogue.channelMap(snapID: snap.snapID)
            let from = try parse(source, map: map)
            let to = try releasableChannel(target, map: map, by: principal)
            guard from != to else { throw StoreError(.invalid, "\(from.name) cannot be promoted to itself") }
            let promoted = map.releases.filter { $0.channel == from && $0.progressive == nil }
                .sorted { $0.architecture < $1.architecture }
            guard !promoted.isEmpty else {
                throw StoreError(.invalid, "nothing is released in \(from.name) of \(name): nothing to promote")
            }
            let now = clock().seconds
            let eventsAfter = try await catalogue.lastDeviceEventID()
            var events: [ReleaseEvent] = []
            for release in promoted {
                do {
                    try map.release(
                        revision: release.revision, architectures: [release.architecture], into: to,
                        eventsAfter: eventsAfter, at: now)
                } catch {
                    throw StoreError(.invalid, "\(error)")
                }
                events.append(
                    ReleaseEvent(
                        snapID: snap.snapID, channel: to.name, architectures: [release.architecture],
                        revision: release.revision, action: .release, percentage: nil, accountID: principal.accountID,
                        at: now, detail: "promoted from \(from.name)"))
            }
            try await catalogue.setChannelMap(snapID: snap.snapID, map, events: events)
            return map
        }
    }

    /// Closes channels: they then follow the next safer risk.
    public func close(name: String, store: String? = nil, channels: [String], by principal: Principal) async throws
        -> ChannelMap
    {
        let snap = try await self.snap(named: name, store: store)
        try requirePublisher(snap, principal, .release)
        return try await exclusively(onSnap: snap.snapID) {
            var map = try await catalogue.channelMap(snapID: snap.snapID)
            let now = clock()
            var events: [ReleaseEvent] = []
            for text in channels {
                let channel = try releasableChannel(text, map: map, by: principal)
                map.close(channel)
                events.append(
                    ReleaseEvent(
                        snapID: snap.snapID, channel: channel.name, architectures: [], revision: nil, action: .close,
                        percentage: nil, accountID: principal.accountID, at: now.seconds))
            }
            try await catalogue.setChannelMap(snapID: snap.snapID, map, events: events)
            return map
        }
    }

    /// Changes a rollout's percentage or pauses it; 100 completes it.
    public func setProgressive(
        name: String, store: String? = nil, channel text: String, percentage: Double?, paused: Bool?,
        by principal: Principal
    ) async throws -> ChannelMap {
        let snap = try await self.snap(named: name, store: store)
        try requirePublisher(snap, principal, .release)
        return try await exclusively(onSnap: snap.snapID) {
            var map = try await catalogue.channelMap(snapID: snap.snapID)
            let channel = try releasableChannel(text, map: map, by: principal)
            do {
                try map.setProgressive(channel, percentage: percentage, paused: paused)
            } catch {
                throw StoreError(.invalid, "\(error)")
            }
            let event = ReleaseEvent(
                snapID: snap.snapID, channel: channel.name, architectures: [], revision: nil, action: .progressive,
                percentage: percentage, accountID: principal.accountID, at: clock().seconds)
            try await catalogue.setChannelMap(snapID: snap.snapID, map, events: [event])
            return map
        }
    }

    /// Adds a track, or makes one the default (what a request without a track gets).
    public func configureTracks(
        name: String, store: String? = nil, add: [String], defaultTrack: String?, by principal: Principal
    ) async throws -> ChannelMap {
        let snap = try await self.snap(named: name, store: store)
        try requirePublisher(snap, principal, .manage)
        return try await exclusively(onSnap: snap.snapID) {
            var map = try await catalogue.channelMap(snapID: snap.snapID)
            do {
                for track in add { try map.addTrack(track) }
            } catch {
                throw StoreError(.invalid, "\(error)")
            }
            if let defaultTrack {
                guard map.tracks.contains(defaultTrack) else {
                    throw StoreError(.invalid, "track \"\(defaultTrack)\" does not exist; add it first")
                }
                map.defaultTrack = defaultTrack
            }
            try await catalogue.setChannelMap(snapID: snap.snapID, map, events: [])
            return map
        }
    }

    public func status(name: String, store: String? = nil) async throws -> SnapStatus {
        let snap = try await self.snap(named: name, store: store)
        let map = try await catalogue.channelMap(snapID: snap.snapID)
        let revisions = Dictionary(
            try await catalogue.revisions(snapID: snap.snapID).map { ($0.revision, $0) },
            uniquingKeysWith: { a, _ in a })
        var architectures = Set(map.releases.map(\.architecture))
        if architectures.isEmpty { architectures = ["all"] }
        let now = clock().seconds
        var rows: [SnapStatus.Row] = []
        for track in map.tracks {
            for architecture in architectures.sorted() {
                for risk in Risk.allCases {
                    let cell = map.status(track: track, risk: risk, architecture: architecture, at: now)
                    switch cell {
                    case .released(let revision, let progressive):
                        let rollout = map.rollouts.first {
                            $0.channel == Channel(track: track, risk: risk) && $0.revision == progressive?.revision
                        }
                        rows.append(
                            .init(
                                track: track, risk: risk.rawValue, architecture: architecture, revision: revision,
                                version: revisions[revision]?.version, following: false,
                                progressiveRevision: progressive?.revision,
                                progressivePercentage: progressive?.percentage,
                                progressivePaused: progressive?.paused, progressiveGroup: rollout?.progressive.group,
                                progressiveHalt: rollout?.progressive.halt?.reason))
                    case .rollout(let revision, let percentage, let paused):
                        let rollout = map.rollouts.first {
                            $0.channel == Channel(track: track, risk: risk) && $0.revision == revision
                        }
                        rows.append(
                            .init(
                                track: track, risk: risk.rawValue, architecture: architecture, revision: nil,
                                version: revisions[revision]?.version, following: false, progressiveRevision: revision,
                                progressivePercentage: percentage, progressivePaused: paused,
                                progressiveGroup: rollout?.progressive.group,
                                progressiveHalt: rollout?.progressive.halt?.reason))
                    case .following, .closed:
                        rows.append(
                            .init(
                                track: track, risk: risk.rawValue, architecture: architecture, revision: nil,
                                version: nil,
                                following: cell == .following, progressiveRevision: nil, progressivePercentage: nil,
                                progressivePaused: nil))
                    }
                }
            }
        }
        let branches = map.releases.filter { !$0.channel.branch.isEmpty && ($0.expiresAt ?? .max) > now }
        return SnapStatus(
            name: snap.name, snapID: snap.snapID, defaultTrack: map.defaultTrack, rows: rows, branches: branches,
            rollouts: try await rollouts(name: name, store: store))
    }

    public func revisions(name: String, store: String? = nil) async throws -> [RevisionRecord] {
        let snap = try await self.snap(named: name, store: store)
        return try await catalogue.revisions(snapID: snap.snapID)
    }

    /// A channel to release to or close, as the caller's login allows.
    func releasableChannel(_ text: String, map: ChannelMap, by principal: Principal) throws(StoreError) -> Channel {
        let channel = try parse(text, map: map)
        try principal.limits.require(channel: channel, defaultTrack: map.defaultTrack)
        return channel
    }

    func parse(_ text: String, map: ChannelMap) throws(StoreError) -> Channel {
        do {
            return try ChannelRequest.parse(text).channel(defaultTrack: map.defaultTrack)
        } catch {
            throw StoreError(.invalid, error.description)
        }
    }
}
