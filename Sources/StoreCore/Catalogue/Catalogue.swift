import Assertions

/// Everything the store keeps, behind the narrow interface its domain needs: SQLite
/// (`StorePersistence.SQLiteCatalogue`), or PostgreSQL for replicas sharing one database
/// (`StorePersistence.PostgresCatalogue`). Each method is one transaction: a write either happens
/// whole or not at all.
public protocol Catalogue: Sendable {
    /// Whether other processes (replicas) write this catalogue too, so that what one process
    /// keeps in memory, or finds half-done at its start, may be another's work in progress.
    var isShared: Bool { get }

    /// Runs `change` (a read, then a write, of one snap's revisions or channel map) while no other
    /// process sharing this catalogue changes the same snap. Within one process the store orders
    /// changes itself (`SnapWriteLocks`); a catalogue one process owns needs nothing more.
    func exclusively<Result: Sendable>(onSnap snapID: String, _ change: () async throws -> Result) async throws
        -> Result

    func createAccount(_ account: StoreAccount, assertions: [Assertion]) async throws
    func account(id: String) async throws -> StoreAccount?
    func account(username: String) async throws -> StoreAccount?
    func accounts() async throws -> [StoreAccount]

    func addToken(_ token: TokenRecord) async throws
    func token(hash: String) async throws -> TokenRecord?
    func tokens() async throws -> [TokenRecord]
    /// Removes the token with this hash; false when there was none.
    func deleteToken(hash: String) async throws -> Bool

    /// Registers a name with its store-signed declaration.
    func registerSnap(_ snap: SnapRecord, declaration: Assertion) async throws
    func snap(name: String, store: String?) async throws -> SnapRecord?
    func snap(id: String) async throws -> SnapRecord?

    /// Adds a revision, its assertions and (optionally) an updated channel map, all at once.
    func addRevision(
        _ revision: RevisionRecord, assertions: [Assertion], channelMap: ChannelMap?, events: [ReleaseEvent]
    ) async throws
    func revisions(snapID: String) async throws -> [RevisionRecord]
    func revision(snapID: String, revision: Int) async throws -> RevisionRecord?
    func revisions(sha3_384: String) async throws -> [RevisionRecord]
    /// Every blob digest some revision or delta points to, for the start-up cross-check.
    func allBlobDigests() async throws -> Set<String>
    /// Records a delta made between two revisions; the same pair again replaces it.
    func addDelta(_ delta: DeltaRecord) async throws
    func deltas(snapID: String) async throws -> [DeltaRecord]

    func channelMap(snapID: String) async throws -> ChannelMap
    func setChannelMap(snapID: String, _ map: ChannelMap, events: [ReleaseEvent]) async throws
    func releaseHistory(snapID: String) async throws -> [ReleaseEvent]
    /// The newest release events of every snap, newest first.
    func latestReleaseEvents(limit: Int) async throws -> [ReleaseEvent]

    /// Stores an assertion; the same bytes again change nothing.
    func putAssertions(_ assertions: [Assertion]) async throws
    func assertion(_ reference: AssertionReference) async throws -> Assertion?
    func assertions(ofType type: AssertionType) async throws -> [Assertion]

    func setAccountEmail(id: String, email: String?) async throws
    func account(email: String) async throws -> StoreAccount?
    func accountEmail(id: String) async throws -> String?

    func addSession(_ session: PublisherSession) async throws
    func session(id: String) async throws -> PublisherSession?
    func session(caveatID: String) async throws -> PublisherSession?
    func bindSession(caveatID: String, to accountID: String) async throws
    /// Every snapcraft login, newest last.
    func sessions() async throws -> [PublisherSession]
    func deleteSession(id: String) async throws -> Bool

    func snapListing(snapID: String) async throws -> SnapListing
    /// A snap with everything a device answer shows about it, in one read: the hot path of refreshes.
    func dossier(snapID: String) async throws -> SnapDossier?
    func dossier(name: String, store: String?) async throws -> SnapDossier?
    /// Several snaps' dossiers in one read, by snap-id: a device's refresh of all it has installed.
    func dossiers(snapIDs: [String]) async throws -> [String: SnapDossier]
    func setSnapListing(snapID: String, _ listing: SnapListing) async throws
    func snaps(publisherID: String) async throws -> [SnapRecord]
    func allSnaps() async throws -> [SnapRecord]
    /// Removes a name that has no revisions.
    func unregisterSnap(snapID: String) async throws

    // MARK: Devices: the serial vault's request ids, the inventory, device sessions

    /// Stores a new request-id and forgets the ones issued before `expiredBefore` that never got a
    /// serial, so that asking for ids cannot grow the database without end.
    func addSerialRequestID(_ requestID: String, issuedAt: Int64, expiredBefore: Int64) async throws
    func serialRequest(id: String) async throws -> SerialRequestRecord?
    /// Binds an unspent request-id to the device key that first used it (a 202 answer).
    func markSerialRequestPending(id: String, deviceKeyID: String, at time: Int64) async throws
    /// The next number of a model's serial sequence (1, 2, …); a number is never handed out twice.
    func allocateSerialNumber(brandID: String, model: String) async throws -> Int
    /// Records a device the vault registered, its serial assertion, and the request-id as spent, at
    /// once. Fails with a `StoreError(.conflict)` when the serial or the device key is taken.
    func registerDevice(_ device: DeviceRecord, serial: Assertion, requestID: String) async throws
    func device(brandID: String, model: String, serial: String) async throws -> DeviceRecord?
    func device(keyID: String) async throws -> DeviceRecord?
    func devices(_ filter: DeviceFilter) async throws -> [DeviceRecord]
    /// `limit` devices matching `filter` from `offset`, most recently seen first, and how many match.
    func devicePage(_ filter: DeviceFilter, offset: Int, limit: Int) async throws -> InventoryPage
    /// Records an opened session (by the hash of its token), adding the device to the inventory
    /// when the store had not seen it.
    func addDeviceSession(tokenHash: String, device: DeviceRecord, at time: Int64) async throws
    /// `brand/model/serial` of the device a session belongs to, with when it was opened.
    func deviceSession(tokenHash: String) async throws -> (serialKey: String, openedAt: Int64)?
    /// When each of a device's sessions was opened.
    func deviceSessions(serialKey: String) async throws -> [Int64]
    /// Ends every session of a device; returns how many there were.
    func deleteDeviceSessions(serialKey: String) async throws -> Int
    func markDeviceSeen(serialKey: String, at time: Int64) async throws
    /// A brand's serial vault policy; nil when it set none (open).
    func vaultPolicy(brandID: String) async throws -> VaultPolicy?
    func vaultPolicies() async throws -> [VaultPolicy]
    func saveVaultPolicy(_ policy: VaultPolicy) async throws

    /// Keeps a device nonce until `expiresAt`, forgetting expired ones; only a shared catalogue
    /// keeps nonces (a store alone keeps them in memory).
    func addNonce(_ nonce: String, expiresAt: Int64, now: Int64) async throws
    /// Whether `nonce` was kept and has not expired; it is gone either way.
    func consumeNonce(_ nonce: String, now: Int64) async throws -> Bool

    // MARK: Split fleet runs

    /// Notes that `party` reached `step` of the fleet run `run`, with its note (a party that was
    /// already there keeps its first note), and returns every party there with its note.
    func meet(run: String, step: Int, party: Int, note: String) async throws -> [Int: String]
    /// The parties that reached `step` of `run`, with their notes.
    func rendezvous(run: String, step: Int) async throws -> [Int: String]

    // MARK: Tags and groups

    /// Adds and removes tags on devices, by serial key (`brand/model/serial`).
    func tagDevices(_ serialKeys: [String], add: [String], remove: [String]) async throws
    func saveGroup(_ group: DeviceGroup) async throws
    func groups() async throws -> [DeviceGroup]
    func deleteGroup(named name: String) async throws

    // MARK: Faults

    /// Stores a fault and returns it with its id.
    func addFault(_ fault: Fault) async throws -> Fault
    func faults() async throws -> [Fault]
    /// Removes one fault, or all of them.
    func deleteFaults(id: Int?) async throws
    /// Counts one firing.
    func recordFiring(ofFault id: Int) async throws

    // MARK: What devices report

    /// Keeps a device's reported installed set and adds the events it implies: a first report, a
    /// newer or older revision, and a failed update (a revision downloaded, then another reported).
    /// A report that changes nothing held but report times written under a minute ago is not
    /// written: the report times are right to within a minute.
    func recordReport(serialKey: String, snaps: [ReportedSnap], at time: Int64) async throws
    /// Notes that a device downloaded a revision.
    func recordDownload(serialKey: String, snapID: String, revision: Int, at time: Int64) async throws
    /// How many devices tried `revision` of a snap in the events after `eventsAfter` (downloaded it,
    /// reported it newly installed or failed with it) and how many of them failed.
    func rolloutOutcome(snapID: String, revision: Int, eventsAfter: Int64) async throws -> (
        attempts: Int, failures: Int
    )
    /// The id of the newest device event, where a rollout's count begins.
    func lastDeviceEventID() async throws -> Int64
    /// Adds one event a device told the store of directly.
    func recordEvent(serialKey: String, _ event: DeviceSnapEvent) async throws
    func installedSnaps(serialKey: String) async throws -> [InstalledSnapRecord]
    /// How many devices the inventory holds per brand and model.
    func deviceCounts() async throws -> [DeviceCount]
    /// How many devices last reported each revision of each snap.
    func installedCounts() async throws -> [InstalledCount]
    /// Oldest first.
    func deviceEvents(serialKey: String) async throws -> [DeviceSnapEvent]
}

extension Catalogue {
    public var isShared: Bool { false }

    public func addNonce(_ nonce: String, expiresAt: Int64, now: Int64) async throws {
        throw StoreError(.internalError, "this catalogue keeps no nonces: the store keeps them in memory")
    }

    public func consumeNonce(_ nonce: String, now: Int64) async throws -> Bool {
        throw StoreError(.internalError, "this catalogue keeps no nonces: the store keeps them in memory")
    }

    public func exclusively<Result: Sendable>(onSnap snapID: String, _ change: () async throws -> Result)
        async throws -> Result
    {
        try await change()
    }
}
