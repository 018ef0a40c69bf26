import StoreProtocol

/// What a request for a channel gets: the revision, the channel that actually holds it, and, when
/// the snap's default track was applied, the channel to redirect the device to.
public struct Resolution: Sendable, Equatable {
    public let revision: Int
    /// The channel the revision is released in (after following safer risks).
    public let effectiveChannel: Channel
    /// The channel the device should track from now on, when the request named no track and the
    /// snap's default track is not `latest`.
    public let redirectChannel: Channel?
    /// Whether the revision came from a progressive release.
    public let progressive: Bool
}

extension ChannelMap {
    /// Resolves a request as the real store does. `bucket` is the device's position (0–100) in
    /// rollouts; nil for a device that sent no identity, which gets only full releases. `groups`
    /// are the device's groups, which targeted releases look for.
    public func resolve(
        _ request: ChannelRequest, architecture: String, bucket: Double?, groups: Set<String> = [], at now: Int64
    ) -> Resolution? {
        let channel = request.channel(defaultTrack: defaultTrack)
        let redirect = request.track == nil && defaultTrack != "latest" ? channel : nil
        let candidates: [Channel] =
            channel.branch.isEmpty
            ? channel.risk.fallbacks.map { Channel(track: channel.track, risk: $0) }
            : [channel]
        for candidate in candidates {
            // The first rollout reaching the device and the first full release, an
            // architecture-specific release winning over one for `all`: one pass, no filtered or sorted copies, as
            // this runs for every snap of every refresh.
            var open = false
            var rolling: (index: Int, forAll: Bool)?
            var full: (index: Int, forAll: Bool)?
            for index in releases.indices {
                let release = releases[index]
                guard release.channel == candidate, release.covers(architecture),
                    release.expiresAt.map({ $0 > now }) ?? true
                else { continue }
                open = true
                let forAll = release.architecture == "all"
                if let progressive = release.progressive {
                    if let bucket, rolling == nil || (rolling?.forAll == true && !forAll),
                        progressive.reaches(bucket: bucket, groups: groups)
                    {
                        rolling = (index, forAll)
                    }
                } else if full == nil || (full?.forAll == true && !forAll) {
                    full = (index, forAll)
                }
            }
            guard open else { continue }
            if let rolling {
                return Resolution(
                    revision: releases[rolling.index].revision, effectiveChannel: candidate,
                    redirectChannel: redirect, progressive: true)
            }
            if let full {
                return Resolution(
                    revision: releases[full.index].revision, effectiveChannel: candidate, redirectChannel: redirect,
                    progressive: false)
            }
            // Only a rollout this device is outside of: nothing here for it, look no further down
            // (the channel is open, it just has nothing for this device yet).
            return nil
        }
        return nil
    }

    /// Whether some release here targets a group, so that resolving needs the device's groups.
    public var hasTargetedReleases: Bool {
        releases.contains { $0.progressive?.group != nil }
    }

    /// Whether a rollout here has a health gate that has not tripped, so that a device's report
    /// may need checking against it. Read on every refresh: a scan, no allocation.
    public var hasOpenHealthGate: Bool {
        releases.contains { $0.progressive?.gate != nil && $0.progressive?.halt == nil }
    }

    /// One row of a `snapcraft status`-like table for a track, risk and architecture.
    public enum StatusCell: Sendable, Equatable {
        /// Released here: the revision, and the rollout if one is under way.
        case released(revision: Int, progressive: (revision: Int, percentage: Double, paused: Bool)?)
        /// Only a rollout: devices inside it get the revision, the others what a closed channel gives.
        case rollout(revision: Int, percentage: Double, paused: Bool)
        /// Nothing here; devices get the next safer risk's release.
        case following
        /// Nothing here or in any safer risk.
        case closed

        public static func == (left: StatusCell, right: StatusCell) -> Bool {
            switch (left, right) {
            case (.following, .following), (.closed, .closed): true
            case (.released(let a, let p), .released(let b, let q)):
                a == b && p?.revision == q?.revision && p?.percentage == q?.percentage && p?.paused == q?.paused
            case (.rollout(let a, let p, let x), .rollout(let b, let q, let y)): a == b && p == q && x == y
            default: false
            }
        }
    }

    public func status(track: String, risk: Risk, architecture: String, at now: Int64) -> StatusCell {
        let channel = Channel(track: track, risk: risk)
        let here = releases.filter { $0.channel == channel && $0.covers(architecture) }
        let full = here.first { $0.progressive == nil }
        let rolling = here.first { $0.progressive != nil }
        if let full {
            return .released(
                revision: full.revision,
                progressive: rolling.map {
                    ($0.revision, $0.progressive?.percentage ?? 0, $0.progressive?.paused ?? false)
                })
        }
        if let rolling {
            return .rollout(
                revision: rolling.revision, percentage: rolling.progressive?.percentage ?? 0,
                paused: rolling.progressive?.paused ?? false)
        }
        let safer = risk.fallbacks.dropFirst().contains { fallback in
            releases.contains { $0.channel == Channel(track: track, risk: fallback) && $0.covers(architecture) }
        }
        _ = now
        return safer ? .following : .closed
    }
}
