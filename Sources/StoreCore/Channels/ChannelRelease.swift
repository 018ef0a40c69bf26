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
        /// A targeted release (`release --to GROUP`): only that group's devices, within the share.
        public var group: String?
        /// When the store halts the rollout by itself.
        public var gate: HealthGate?
        /// Set when the gate tripped: devices not yet updated keep the previous revision.
        public var halt: Halt?
        /// Devices' attempts count from the device event after this one (the release, or the
        /// last resume): ids, not seconds, so that nothing in the same second is counted twice.
        public var eventsAfter: Int64

        public init(
            percentage: Double, paused: Bool = false, group: String? = nil, gate: HealthGate? = nil, halt: Halt? = nil,
            eventsAfter: Int64 = 0
        ) {
            self.percentage = percentage
            self.paused = paused
            self.group = group
            self.gate = gate
            self.halt = halt
            self.eventsAfter = eventsAfter
        }

        /// Whether a device at `bucket` in these groups gets the revision.
        func reaches(bucket: Double, groups: Set<String>) -> Bool {
            !paused && halt == nil && bucket < percentage && (group.map { groups.contains($0) } ?? true)
        }
    }

    /// A rollout's health gate (`release --halt-at 5%` or `--halt-at 3`): once at least
    /// `minimumAttempts` devices tried the revision, failures at or over the share (or count) halt it.
    public struct HealthGate: Sendable, Hashable, Codable {
        public var failurePercent: Double?
        public var failureCount: Int?
        public var minimumAttempts: Int

        public init(failurePercent: Double? = nil, failureCount: Int? = nil, minimumAttempts: Int) {
            self.failurePercent = failurePercent
            self.failureCount = failureCount
            self.minimumAttempts = minimumAttempts
        }

        /// `halts at 5 % failures after 10 attempts`, as status, history and `rollout show` say it.
        public var description: String {
            let threshold =
                failurePercent.map { "\($0.formatted()) % failures" } ?? "\(failureCount ?? 0) failed devices"
            return "halts at \(threshold) after \(minimumAttempts) attempt\(minimumAttempts == 1 ? "" : "s")"
        }

        /// Whether these counts trip the gate.
        public func trips(failures: Int, attempts: Int) -> Bool {
            guard attempts >= minimumAttempts, attempts > 0, failures > 0 else { return false }
            if let failureCount, failures >= failureCount { return true }
            if let failurePercent, Double(failures) * 100 / Double(attempts) >= failurePercent { return true }
            return false
        }
    }

    /// Why a rollout stopped, with the counts that stopped it.
    public struct Halt: Sendable, Hashable, Codable {
        public var reason: String
        public var failures: Int
        public var attempts: Int
        public var at: Int64

        public init(reason: String, failures: Int, attempts: Int, at: Int64) {
            self.reason = reason
            self.failures = failures
            self.attempts = attempts
            self.at = at
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
