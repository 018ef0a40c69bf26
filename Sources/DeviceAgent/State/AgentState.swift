import SnapFiles
import StoreProtocol

/// One revision of one snap.
public struct SnapAndRevision: Hashable, Sendable {
    public let snap: String
    public let revision: Int

    public init(snap: String, revision: Int) {
        self.snap = snap
        self.revision = revision
    }
}

/// What the agent knows of its device, kept in one file written whole (snapd's `state.json`):
/// the installed snaps and the changes that installed them.
public struct AgentState: Codable, Sendable, Equatable {
    /// One installed snap (snapd's `SnapState`): the current revision and those kept beside it.
    public struct InstalledSnap: Codable, Sendable, Equatable {
        public var name: String
        public var snapID: String
        public var type: String
        public var version: String
        /// The revision in use: its file is `snaps/NAME_REV.snap`.
        public var current: Int
        /// Every revision kept on disk, oldest first, the current one included (`refresh.retain`).
        public var sequence: [Int]
        /// The channel followed, in full form (`latest/stable`), as snapd stores it.
        public var channel: String
        public var epoch: Epoch
        /// When the current revision was installed: the context's `refreshed-date`.
        public var refreshedAt: String
        /// Revisions a revert moved away from, which refreshes no longer take (snapd's block list).
        public var blocked: [Int]?
        /// Held: refreshes of every snap leave it alone; a refresh that names it does not.
        public var held: Bool?
        /// The cohort the snap refreshes in (snapd's `cohort-key`), sent with every refresh until
        /// the device leaves it.
        public var cohortKey: String?
        /// A kernel or base revision on trial (snapd's `kernel_status`/`snap_mode`): `try` until
        /// the next boot starts it, `trying` while that boot runs; nil once it booted well.
        public var boot: TrialBoot?
    }

    /// The states of a boot snap's trial, as snapd's boot loader environment keeps them: a
    /// `trying` found at power-on means the trial boot never reached boot-ok.
    public enum TrialBoot: String, Codable, Sendable {
        case tryNext = "try"
        case trying
    }

    /// One unit of work, as `snap changes` lists them, with its steps as `snap tasks` does.
    public struct Change: Codable, Sendable, Equatable {
        public enum Status: String, Codable, Sendable {
            case doing = "Doing"
            case done = "Done"
            case error = "Error"
            case undone = "Undone"
        }

        public struct Task: Codable, Sendable, Equatable {
            public var summary: String
            public var status: Status
            /// Why a step failed, in the agent's own words.
            public var reason: String?
        }

        public var id: Int
        public var kind: String
        public var summary: String
        public var status: Status
        public var spawnTime: String
        public var readyTime: String?
        public var tasks: [Task]
        /// The snap and revision an install or refresh is bringing in, and the snap as it was
        /// before (nil for a first install): what an undo puts back, after a restart too.
        public var snap: String?
        public var revision: Int?
        public var previous: InstalledSnap?
    }

    /// A validation set the device enforces (snapd's `ValidationSetTracking`, enforce mode).
    public struct TrackedValidationSet: Codable, Sendable, Equatable {
        public var accountID: String
        public var name: String
        /// The sequence in force; refreshes move it to the newest unless pinned.
        public var sequence: Int
        public var pinned: Bool

        public init(accountID: String, name: String, sequence: Int, pinned: Bool) {
            self.accountID = accountID
            self.name = name
            self.sequence = sequence
            self.pinned = pinned
        }

        /// The key snapd sends in an action's `validation-sets`: series, account, name, sequence.
        public var key: [String] { ["16", accountID, name, String(sequence)] }
        public var label: String { "\(accountID)/\(name)" }
    }

    public var snaps: [InstalledSnap] = []
    public var changes: [Change] = []
    public var validationSets: [TrackedValidationSet]?
    /// Set once the seed's snaps are installed (snapd's `seeded`).
    public var seeded = false
    /// When the store was last asked on schedule (snapd's `last-refresh`): set by every scheduled
    /// attempt that reached it; refreshes by hand leave it.
    public var lastRefresh: String?
    /// snapd's `refresh.timer`; nil for its default.
    public var refreshTimer: String?
    /// snapd's `refresh.hold`: no scheduled refresh before this time.
    public var refreshHold: String?
    /// snapd's `refresh.metered`: `hold` keeps scheduled refreshes off a metered connection.
    public var refreshMetered: String?
    /// The device session's macaroon, kept between refreshes as snapd keeps it, renewed when the
    /// store says it expired.
    public var deviceSession: String?
    /// snapd's `refresh.retain`: revisions kept per snap; nil for snapd's default.
    public var refreshRetain: Int?
    /// What a gadget's `prepare-device` hook gives snapd for registration: headers sent with both
    /// vault requests (`device-service.headers`, e.g. a serial vault's `api-key`) and the serial to
    /// propose (`registration.proposed-serial`).
    public var deviceServiceHeaders: [String: String]?
    public var proposedSerial: String?
    /// The last change id given out, kept when its change is pruned.
    public var lastChangeID: Int?

    public init() {}

    public func snap(named name: String) -> InstalledSnap? {
        snaps.first { $0.name == name }
    }

    public func change(_ id: Int) -> Change? {
        changes.first { $0.id == id }
    }

    mutating func put(_ snap: InstalledSnap) {
        if let index = snaps.firstIndex(where: { $0.name == snap.name }) {
            snaps[index] = snap
        } else {
            snaps.append(snap)
            snaps.sort { $0.name < $1.name }
        }
    }

    mutating func newChange(
        kind: String, summary: String, at time: String, snap: String? = nil, revision: Int? = nil,
        previous: InstalledSnap? = nil
    ) -> Int {
        let id = nextChangeID
        lastChangeID = id
        changes.append(
            Change(
                id: id, kind: kind, summary: summary, status: .doing, spawnTime: time, tasks: [], snap: snap,
                revision: revision, previous: previous))
        return id
    }

    /// The id the next change gets: ids are not reused after old changes are pruned.
    var nextChangeID: Int {
        max(lastChangeID ?? 0, changes.map(\.id).max() ?? 0) + 1
    }

    /// snapd's pruning of its changes (`overlord/state/state.go` `Prune`): ready changes older
    /// than a day go, and at most 500 are kept, the oldest ready ones going first.
    mutating func prune(now: Int64) {
        let cutoff = now - 24 * 3600
        changes.removeAll { change in
            guard change.status != .doing, let ready = change.readyTime.flatMap(WireTime.seconds) else { return false }
            return ready < cutoff
        }
        while changes.count > 500, let oldest = changes.firstIndex(where: { $0.status != .doing }) {
            changes.remove(at: oldest)
        }
    }

    mutating func remove(_ name: String) {
        snaps.removeAll { $0.name == name }
    }

    mutating func record(_ id: Int, _ task: Change.Task) {
        guard let index = changes.firstIndex(where: { $0.id == id }) else { return }
        changes[index].tasks.append(task)
    }

    mutating func finish(_ id: Int, _ status: Change.Status, at time: String) {
        guard let index = changes.firstIndex(where: { $0.id == id }) else { return }
        changes[index].status = status
        changes[index].readyTime = time
    }
}
