import StoreProtocol

/// A snap's releases: which revision each channel serves to each architecture. The rules of the
/// real store: a channel without a release follows the next safer risk of its track; branches do
/// not follow anything and expire; a request without a track uses the snap's default track.
public struct ChannelMap: Sendable, Hashable, Codable {
    public var releases: [ChannelRelease]
    public var defaultTrack: String
    public var tracks: [String]

    public init(releases: [ChannelRelease] = [], defaultTrack: String = "latest", tracks: [String] = ["latest"]) {
        self.releases = releases
        self.defaultTrack = defaultTrack
        self.tracks = tracks
    }

    /// How long a branch lives after a release into it (the real store's 30 days).
    public static let branchLifetime: Int64 = 30 * 24 * 3600

    /// Puts `revision` (built for `architectures`) into `channel`, replacing what it overlaps.
    /// A progressive release sits beside the full one until it reaches 100 %; a targeted one
    /// (`group`) or a health-gated one (`gate`) until it is completed, whatever its share.
    public mutating func release(
        revision: Int, architectures: [String], into channel: Channel, progressive: Double? = nil,
        group: String? = nil, gate: ChannelRelease.HealthGate? = nil, eventsAfter: Int64 = 0, at now: Int64
    ) throws(ChannelError) {
        guard tracks.contains(channel.track) else {
            throw ChannelError("track \"\(channel.track)\" does not exist for this snap; create it first")
        }
        if let progressive, !(0...100).contains(progressive) {
            throw ChannelError("progressive percentage must be between 0 and 100, not \(progressive)")
        }
        let isProgressive = group != nil || gate != nil || (progressive.map { $0 < 100 } ?? false)
        // A rollout the store steers (targeted or gated) is not silently replaced by another one:
        // its counts and halt would be lost. A plain progressive release replaces one, as before.
        if isProgressive,
            let steered = releases.first(where: {
                $0.channel == channel && $0.isReplaced(byRevisionFor: architectures) && $0.revision != revision
                    && ($0.progressive.map { $0.group != nil || $0.gate != nil } ?? false || group != nil
                        || gate != nil)
                    && $0.progressive != nil
            })
        {
            throw ChannelError(
                "a rollout of revision \(steered.revision) is under way in \(channel): "
                    + "complete, resume or abort it first (snapdepot rollout)")
        }
        releases.removeAll {
            $0.channel == channel && $0.isReplaced(byRevisionFor: architectures)
                && ($0.progressive != nil) == isProgressive
        }
        if !isProgressive {
            // A full release ends any rollout in the channel.
            releases.removeAll {
                $0.channel == channel && $0.isReplaced(byRevisionFor: architectures) && $0.progressive != nil
            }
        }
        let expiry = channel.branch.isEmpty ? nil : now + Self.branchLifetime
        for architecture in architectures {
            releases.append(
                ChannelRelease(
                    channel: channel, architecture: architecture, revision: revision,
                    progressive: isProgressive
                        ? ChannelRelease.Progressive(
                            percentage: progressive ?? 100, group: group, gate: gate, eventsAfter: eventsAfter) : nil,
                    expiresAt: expiry, releasedAt: now))
        }
    }

    /// Empties a channel for every architecture; it then follows the next safer risk.
    public mutating func close(_ channel: Channel) {
        releases.removeAll { $0.channel == channel }
    }

    /// Changes a rollout; at 100 % the progressive revision becomes the channel's full release.
    public mutating func setProgressive(_ channel: Channel, percentage: Double?, paused: Bool?)
        throws(ChannelError)
    {
        let rolling = releases.indices.filter { releases[$0].channel == channel && releases[$0].progressive != nil }
        guard !rolling.isEmpty else { throw ChannelError("there is no progressive release in \(channel)") }
        if let percentage {
            guard (0...100).contains(percentage) else {
                throw ChannelError("progressive percentage must be between 0 and 100, not \(percentage)")
            }
        }
        if let percentage, percentage >= 100 {
            let promoted = rolling.map { releases[$0] }
            releases.removeAll { release in
                release.channel == channel && release.progressive == nil
                    && promoted.contains { $0.architecture == release.architecture }
            }
            for index in releases.indices where releases[index].channel == channel {
                releases[index].progressive = nil
            }
            return
        }
        for index in rolling {
            if let percentage { releases[index].progressive?.percentage = percentage }
            if let paused { releases[index].progressive?.paused = paused }
        }
    }

    /// The rollouts under way: each channel's progressive releases, by revision.
    public var rollouts: [(channel: Channel, revision: Int, progressive: ChannelRelease.Progressive)] {
        var seen = Set<String>()
        return releases.compactMap { release in
            guard let progressive = release.progressive,
                seen.insert("\(release.channel.name) \(release.revision)").inserted
            else { return nil }
            return (release.channel, release.revision, progressive)
        }
    }

    /// Stops a rollout where it is: devices that have not taken it keep the channel's other release.
    public mutating func halt(_ channel: Channel, revision: Int, _ halt: ChannelRelease.Halt) {
        for index in releases.indices
        where releases[index].channel == channel && releases[index].revision == revision
            && releases[index].progressive != nil
        {
            releases[index].progressive?.halt = halt
        }
    }

    /// Lets a halted or paused rollout go on, counting its attempts afresh after event `eventsAfter`.
    public mutating func resume(_ channel: Channel, eventsAfter: Int64) throws(ChannelError) {
        let rolling = releases.indices.filter { releases[$0].channel == channel && releases[$0].progressive != nil }
        guard !rolling.isEmpty else { throw ChannelError("there is no rollout in \(channel)") }
        for index in rolling {
            releases[index].progressive?.halt = nil
            releases[index].progressive?.paused = false
            releases[index].progressive?.eventsAfter = eventsAfter
        }
    }

    /// Drops a rollout: every device is offered the channel's other release again.
    public mutating func abort(_ channel: Channel) throws(ChannelError) {
        guard releases.contains(where: { $0.channel == channel && $0.progressive != nil }) else {
            throw ChannelError("there is no rollout in \(channel)")
        }
        releases.removeAll { $0.channel == channel && $0.progressive != nil }
    }

    /// Creates a track (the real store needs a request; here the publisher or admin does it).
    public mutating func addTrack(_ track: String) throws(ChannelError) {
        guard ChannelRequest.isValidName(track) else { throw ChannelError("invalid track name: \(track)") }
        if !tracks.contains(track) { tracks.append(track) }
    }
}
