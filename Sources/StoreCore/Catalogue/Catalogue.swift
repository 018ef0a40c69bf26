import Assertions

/// Everything the store keeps, behind the narrow interface its domain needs. SQLite implements it
/// (`StorePersistence.SQLiteCatalogue`); a PostgreSQL backend for replicas would be another.
/// Each method is one transaction: a write either happens whole or not at all.
public protocol Catalogue: Sendable {
    func createAccount(_ account: StoreAccount, assertions: [Assertion]) async throws
    func account(id: String) async throws -> StoreAccount?
    func account(username: String) async throws -> StoreAccount?
    func accounts() async throws -> [StoreAccount]

    func addToken(_ token: TokenRecord) async throws
    func token(hash: String) async throws -> TokenRecord?

    /// Registers a name with its store-signed declaration.
    func registerSnap(_ snap: SnapRecord, declaration: Assertion) async throws
    func snap(name: String, store: String?) async throws -> SnapRecord?
    func snap(id: String) async throws -> SnapRecord?
    func snapCount() async throws -> Int

    /// Adds a revision, its assertions and (optionally) an updated channel map, all at once.
    func addRevision(
        _ revision: RevisionRecord, assertions: [Assertion], channelMap: ChannelMap?, events: [ReleaseEvent]
    ) async throws
    func revisions(snapID: String) async throws -> [RevisionRecord]
    func revision(snapID: String, revision: Int) async throws -> RevisionRecord?
    func revisions(sha3_384: String) async throws -> [RevisionRecord]
    /// Every blob digest some revision points to, for the start-up cross-check.
    func allRevisionDigests() async throws -> Set<String>

    func channelMap(snapID: String) async throws -> ChannelMap
    func setChannelMap(snapID: String, _ map: ChannelMap, events: [ReleaseEvent]) async throws
    func releaseHistory(snapID: String) async throws -> [ReleaseEvent]

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

    func snapListing(snapID: String) async throws -> SnapListing
    /// A snap with everything a device answer shows about it, in one read: the hot path of refreshes.
    func dossier(snapID: String) async throws -> SnapDossier?
    func dossier(name: String, store: String?) async throws -> SnapDossier?
    func setSnapListing(snapID: String, _ listing: SnapListing) async throws
    func snaps(publisherID: String) async throws -> [SnapRecord]
    func allSnaps() async throws -> [SnapRecord]
    /// Removes a name that has no revisions.
    func unregisterSnap(snapID: String) async throws

    func setting(_ name: String) async throws -> String?
    func setSetting(_ name: String, _ value: String) async throws
}
