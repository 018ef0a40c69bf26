import StoreProtocol

/// A fault injected on purpose, to rehearse what a bad network or a bad store does to devices
/// (`snapdepot faults add`): which answers it spoils, for which devices, how often, and how.
public struct Fault: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Answer with an HTTP error status (5xx) and an `error-list`.
        case status
        /// Answer late, by `delayMilliseconds`.
        case delay
        /// Send a download's first `afterBytes` bytes, then close the connection.
        case cut
        /// Send a download at `bytesPerSecond`.
        case throttle
        /// Serve a download with one byte flipped: its SHA3-384 no longer matches.
        case corrupt
        /// For simulated devices (the fleet simulator): the revision's check-health fails.
        case failCheckHealth = "fail-check-health"
    }

    /// Which answers a fault spoils.
    public enum Endpoint: String, Sendable, Codable, CaseIterable {
        /// `POST /v2/snaps/refresh`.
        case refresh
        /// `GET /api/v1/snaps/download/…`.
        case download
        /// `GET /v2/assertions/…`.
        case assertions
    }

    public var id: Int
    public var kind: Kind
    public var endpoint: Endpoint
    /// Only answers about this snap (and revision); nil for any.
    public var snapID: String?
    public var revision: Int?
    /// Only devices of this group; nil for any device.
    public var group: String?
    /// Only this share of devices (by the same stable position rollouts use); nil for all.
    public var devicePercent: Double?
    /// Each matching answer is spoiled with this chance (0–100); nil for every one.
    public var chance: Double?
    /// Spoils this many answers, then stops; nil for no limit.
    public var times: Int?
    public var status: Int?
    public var delayMilliseconds: Int?
    public var afterBytes: Int?
    public var bytesPerSecond: Int?
    /// How often it fired.
    public var fired: Int
    public var createdAt: Int64

    public init(
        id: Int = 0, kind: Kind, endpoint: Endpoint, snapID: String? = nil, revision: Int? = nil, group: String? = nil,
        devicePercent: Double? = nil, chance: Double? = nil, times: Int? = nil, status: Int? = nil,
        delayMilliseconds: Int? = nil, afterBytes: Int? = nil, bytesPerSecond: Int? = nil, fired: Int = 0,
        createdAt: Int64 = 0
    ) {
        self.id = id
        self.kind = kind
        self.endpoint = endpoint
        self.snapID = snapID
        self.revision = revision
        self.group = group
        self.devicePercent = devicePercent
        self.chance = chance
        self.times = times
        self.status = status
        self.delayMilliseconds = delayMilliseconds
        self.afterBytes = afterBytes
        self.bytesPerSecond = bytesPerSecond
        self.fired = fired
        self.createdAt = createdAt
    }

    /// What its device share is drawn by (`RolloutPosition.faultDraw`).
    public var draw: String { RolloutPosition.faultDraw(snapID: snapID, faultID: id) }

    /// Whether it still fires.
    public var isSpent: Bool { times.map { fired >= $0 } ?? false }
}
