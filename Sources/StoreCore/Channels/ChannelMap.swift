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
    /// A progressive release sits beside the full one until it reaches 100 %.
    public mutating func release(
        revision: Int, architectures: [String], into channel: Channel, progressive: Double? = nil, at now: Int64
    ) throws(ChannelError) {
        guard tracks.contains(channel.track) else {
            throw ChannelError("track \"\(channel.track)\" does not exist for this snap; create it first")
        }
        if let progressive, !(0...100).contains(progressive) {
            throw ChannelError("progressive percentage must be between 0 and 100, not \(progressive)")
        }
        let isProgressive = progressive.map { $0 < 100 } ?? false
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
                    progressive: isProgressive ? ChannelRelease.Progressive(percentage: progressive ?? 0) : nil,
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

    /// Creates a track (the real store needs a request; here the publisher or admin does it).
    public mutating func addTrack(_ track: String) throws(ChannelError) {
        guard ChannelRequest.isValidName(track) else { throw ChannelError("invalid track name: \(track)") }
        if !tracks.contains(track) { tracks.append(track) }
    }
}
