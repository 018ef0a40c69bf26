import StoreProtocol

/// One revision in one channel for one architecture (`all` covers every architecture).
public struct ChannelRelease: Sendable, Hashable, Codable {
    public let channel: Channel
    public let architecture: String
    public let revision: Int
    /// A progressive release reaches only this share (0–100) of devices; nil for a full release.
    public var progressive: Progressive?
    /// Branches expire; nil for a track/risk release.
    public var expiresAt: Int64?
    public let releasedAt: Int64

    public struct Progressive: Sendable, Hashable, Codable {
        public var percentage: Double
        public var paused: Bool

        public init(percentage: Double, paused: Bool = false) {
            self.percentage = percentage
            self.paused = paused
        }
    }

    public init(
        channel: Channel, architecture: String, revision: Int, progressive: Progressive? = nil, expiresAt: Int64? = nil,
        releasedAt: Int64
    ) {
        self.channel = channel
        self.architecture = architecture
        self.revision = revision
        self.progressive = progressive
        self.expiresAt = expiresAt
        self.releasedAt = releasedAt
    }

    func covers(_ architecture: String) -> Bool {
        self.architecture == "all" || self.architecture == architecture
    }

    /// Whether a release of a revision built for `architectures` replaces this one: an `all`
    /// revision replaces everything; an architecture-specific one replaces only its own
    /// architectures, and wins over an `all` release, which keeps serving the others.
    func isReplaced(byRevisionFor architectures: [String]) -> Bool {
        architectures.contains("all") || architectures.contains(architecture)
    }
}
