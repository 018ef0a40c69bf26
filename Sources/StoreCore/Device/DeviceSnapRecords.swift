/// A snap as a device last reported it in a refresh's context (snapd sends its whole installed
/// set each time).
public struct InstalledSnapRecord: Sendable, Codable, Equatable {
    public let snapID: String
    /// The name the store knows the snap-id by; nil for a snap it does not hold.
    public let name: String?
    public let revision: Int
    public let channel: String
    /// The device's own `refreshed-date` for the revision, as it sent it.
    public let refreshedDate: String?
    public let reportedAt: Int64

    public init(
        snapID: String, name: String?, revision: Int, channel: String, refreshedDate: String?, reportedAt: Int64
    ) {
        self.snapID = snapID
        self.name = name
        self.revision = revision
        self.channel = channel
        self.refreshedDate = refreshedDate
        self.reportedAt = reportedAt
    }
}

/// What one device's reports and downloads say happened to one of its snaps.
public struct DeviceSnapEvent: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// First seen installed at a revision.
        case reported
        /// Reported at a newer revision than before.
        case refreshed
        /// Reported at an older revision than before.
        case reverted
        /// Downloaded a revision (the update may follow).
        case downloaded
        /// The update did not take: a revision downloaded, then another reported; or the agent's
        /// own report of a failed attempt, with its step and reason.
        case failed
        /// The agent reported the revision installed (snapdepot's attempt report).
        case installed
        /// No longer in the installed set the device reports.
        case removed
    }

    public let snapID: String
    public let revision: Int
    public let kind: Kind
    public let at: Int64
    public let detail: String?

    public init(snapID: String, revision: Int, kind: Kind, at: Int64, detail: String? = nil) {
        self.snapID = snapID
        self.revision = revision
        self.kind = kind
        self.at = at
        self.detail = detail
    }
}

/// One entry of a device's report: a context entry of its refresh.
public struct ReportedSnap: Sendable, Hashable {
    public let snapID: String
    public let revision: Int
    public let channel: String
    public let refreshedDate: String?

    public init(snapID: String, revision: Int, channel: String, refreshedDate: String?) {
        self.snapID = snapID
        self.revision = revision
        self.channel = channel
        self.refreshedDate = refreshedDate
    }
}
