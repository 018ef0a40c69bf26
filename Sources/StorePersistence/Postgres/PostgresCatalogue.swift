import Assertions
import Foundation
import Logging
import PostgresNIO
import SnapFiles
import StoreCore
import StoreProtocol

/// The catalogue on PostgreSQL (`serve --database postgres://…`): the same tables and the same
/// answers as `SQLiteCatalogue`, for stores whose replicas share one database. Every write is one
/// SERIALIZABLE transaction (`PostgresDatabase.write`); the only thing kept in the process is
/// dossiers, checked against their snaps' generations on every read, so a replica sees what
/// another one committed on its next read.
public final class PostgresCatalogue: Catalogue {
    let database: PostgresDatabase
    let location: PostgresLocation
    /// Dossiers read before, with their snaps' generations.
    let dossierCache = GenerationCache()
    var logger: Logger { database.logger }

    /// Connects, and migrates the database to the current schema.
    public init(_ location: PostgresLocation, logger: Logger = Logger(label: "snapdepot.postgres")) async throws {
        do {
            let probe = try await PostgresConnection.connect(
                configuration: try location.connectionConfiguration, id: 0, logger: logger)
            try await probe.close()
        } catch {
            throw StoreError(.unavailable, "cannot reach the catalogue at \(location): \(String(reflecting: error))")
        }
        database = await PostgresDatabase(location, logger: logger)
        self.location = location
        do {
            try await PostgresSchema.migrate(database.client, logger: logger)
        } catch {
            database.close()
            throw StoreError(.unavailable, "cannot open the catalogue at \(location): \(String(reflecting: error))")
        }
    }

    /// Replicas share it: `SnapStore` keeps nothing in memory another replica could change.
    public var isShared: Bool { true }

    /// Closes the connections.
    public func close() {
        database.close()
    }

    /// `ok` when every migration this version knows is applied, as SQLite's integrity check answers;
    /// PostgreSQL checks its own pages (and `pg_amcheck` its indexes).
    public func schemaCheck() async throws -> String {
        let applied = Set(
            try await database.rows("SELECT name FROM snapdepot_migrations").map { try $0.decode(String.self) })
        let missing = PostgresSchema.migrations.map(\.name).filter { !applied.contains($0) }
        return missing.isEmpty ? "ok" : "migrations not applied: \(missing.joined(separator: ", "))"
    }

    /// Under a session-level advisory lock keyed by the snap, held on a connection of its own for
    /// the change: a replica's upload or release waits for another replica's on the same snap, as
    /// `SnapWriteLocks` makes them wait within one process. The lock's connection is not the
    /// pool's, so that changes of many snaps at once cannot take every pooled connection and
    /// leave none for their own reads and writes. A replica that dies mid-change loses the
    /// connection, and PostgreSQL frees the lock.
    public func exclusively<Result: Sendable>(onSnap snapID: String, _ change: () async throws -> Result)
        async throws -> Result
    {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: try location.connectionConfiguration, id: 0, logger: logger)
        } catch {
            throw PostgresDatabase.translated(error)
        }
        defer { Task { try? await connection.close() } }
        try await connection.query(
            "SELECT pg_advisory_lock(\(PostgresSchema.snapLockClass), hashtext(\(snapID)))", logger: logger)
        do {
            let result = try await change()
            try await connection.query(
                "SELECT pg_advisory_unlock(\(PostgresSchema.snapLockClass), hashtext(\(snapID)))", logger: logger)
            return result
        } catch {
            _ = try? await connection.query(
                "SELECT pg_advisory_unlock(\(PostgresSchema.snapLockClass), hashtext(\(snapID)))", logger: logger)
            throw error
        }
    }

    // MARK: Accounts and tokens

    public func createAccount(_ account: StoreAccount, assertions: [Assertion]) async throws {
        try await database.write { connection in
            try await connection.query(
                """
                INSERT INTO accounts (id, username, display_name, validation, created_at)
                VALUES (\(account.id), \(account.username), \(account.displayName), \(account.validation),
                    \(account.createdAt))
                """, logger: logger)
            try await Self.put(assertions, on: connection, logger: logger)
        }
    }

    public func account(id: String) async throws -> StoreAccount? {
        try await database.rows("SELECT * FROM accounts WHERE id = \(id)").first.map(Self.account)
    }

    public func account(username: String) async throws -> StoreAccount? {
        try await database.rows("SELECT * FROM accounts WHERE username = \(username)").first.map(Self.account)
    }

    public func accounts() async throws -> [StoreAccount] {
        try await database.rows("SELECT * FROM accounts ORDER BY username").map(Self.account)
    }

    static func account(_ row: PostgresRow) throws -> StoreAccount {
        let row = Columns(row)
        return StoreAccount(
            id: try row["id"], username: try row["username"], displayName: try row["display_name"],
            validation: try row["validation"], createdAt: try row["created_at"])
    }

    public func addToken(_ token: TokenRecord) async throws {
        try await database.write { connection in
            try await connection.query(
                """
                INSERT INTO tokens (hash, account_id, role, description, created_at, expires_at)
                VALUES (\(token.hash), \(token.accountID), \(token.role.rawValue), \(token.description),
                    \(token.createdAt), \(token.expiresAt))
                """, logger: logger)
        }
    }

    public func token(hash: String) async throws -> TokenRecord? {
        try await database.rows("SELECT * FROM tokens WHERE hash = \(hash)").first.map(Self.token)
    }

    public func tokens() async throws -> [TokenRecord] {
        try await database.rows("SELECT * FROM tokens ORDER BY created_at, hash").map(Self.token)
    }

    public func deleteToken(hash: String) async throws -> Bool {
        try await database.write { connection in
            !(try await connection.rows("DELETE FROM tokens WHERE hash = \(hash) RETURNING hash", logger: logger))
                .isEmpty
        }
    }

    static func token(_ row: PostgresRow) throws -> TokenRecord {
        let row = Columns(row)
        return TokenRecord(
            hash: try row["hash"], accountID: try row["account_id"],
            role: Role(rawValue: try row["role"]) ?? .publisher, description: try row["description"],
            createdAt: try row["created_at"], expiresAt: try row["expires_at"])
    }

    // MARK: Snaps and revisions

    public func registerSnap(_ snap: SnapRecord, declaration: Assertion) async throws {
        try await database.write { connection in
            try await connection.query(
                """
                INSERT INTO snaps (snap_id, name, publisher_id, store, private, created_at)
                VALUES (\(snap.snapID), \(snap.name), \(snap.publisherID), \(snap.store ?? ""), \(snap.isPrivate),
                    \(snap.createdAt))
                """, logger: logger)
            try await Self.put([declaration], on: connection, logger: logger)
        }
    }

    public func snap(name: String, store: String?) async throws -> SnapRecord? {
        try await database.rows("SELECT * FROM snaps WHERE name = \(name) AND store = \(store ?? "")").first.map(
            Self.snap)
    }

    public func snap(id: String) async throws -> SnapRecord? {
        try await database.rows("SELECT * FROM snaps WHERE snap_id = \(id)").first.map(Self.snap)
    }

    static func snap(_ row: PostgresRow) throws -> SnapRecord {
        let row = Columns(row)
        let store: String = try row["store"]
        return SnapRecord(
            snapID: try row["snap_id"], name: try row["name"], publisherID: try row["publisher_id"],
            store: store.isEmpty ? nil : store, isPrivate: try row["private"], createdAt: try row["created_at"])
    }

    public func addRevision(
        _ revision: RevisionRecord, assertions: [Assertion], channelMap: ChannelMap?, events: [ReleaseEvent]
    ) async throws {
        try await database.write { connection in
            try await connection.query(
                """
                INSERT INTO revisions (snap_id, revision, version, type, base, architectures, epoch_read,
                    epoch_write, confinement, grade, provenance, sha3_384, size, snap_yaml, created_at)
                VALUES (\(revision.snapID), \(revision.revision), \(revision.version), \(revision.type),
                    \(revision.base), \(JSONText.encode(revision.architectures)),
                    \(JSONText.encode(revision.epoch.read)), \(JSONText.encode(revision.epoch.write)),
                    \(revision.confinement), \(revision.grade), \(revision.provenance), \(revision.sha3_384),
                    \(Int64(revision.size)), \(revision.snapYAML), \(revision.createdAt))
                """, logger: logger)
            try await Self.put(assertions, on: connection, logger: logger)
            if let channelMap {
                try await Self.write(
                    channelMap, snapID: revision.snapID, events: events, on: connection, logger: logger)
            }
        }
    }

    public func revisions(snapID: String) async throws -> [RevisionRecord] {
        try await database.rows("SELECT * FROM revisions WHERE snap_id = \(snapID) ORDER BY revision").map(
            Self.revision)
    }

    public func revision(snapID: String, revision: Int) async throws -> RevisionRecord? {
        try await database.rows("SELECT * FROM revisions WHERE snap_id = \(snapID) AND revision = \(revision)")
            .first.map(Self.revision)
    }

    public func revisions(sha3_384: String) async throws -> [RevisionRecord] {
        try await database.rows("SELECT * FROM revisions WHERE sha3_384 = \(sha3_384)").map(Self.revision)
    }

    public func allBlobDigests() async throws -> Set<String> {
        Set(
            try await database.rows(
                "SELECT sha3_384 FROM revisions UNION SELECT sha3_384 FROM deltas WHERE sha3_384 IS NOT NULL"
            ).map { try $0.decode(String.self) })
    }

    public func addDelta(_ delta: DeltaRecord) async throws {
        try await database.write { connection in
            try await connection.query(
                """
                INSERT INTO deltas (snap_id, source, target, format, sha3_384, size, created_at)
                VALUES (\(delta.snapID), \(delta.source), \(delta.target), \(delta.format), \(delta.sha3_384),
                    \(Int64(delta.size)), \(delta.createdAt))
                ON CONFLICT (snap_id, source, target, format) DO UPDATE SET sha3_384 = excluded.sha3_384,
                    size = excluded.size, created_at = excluded.created_at
                """, logger: logger)
        }
    }

    public func deltas(snapID: String) async throws -> [DeltaRecord] {
        try await database.read { connection in try await Self.deltas(snapID: snapID, on: connection, logger: logger) }
    }

    static func deltas(snapID: String, on connection: PostgresConnection, logger: Logger) async throws
        -> [DeltaRecord]
    {
        try await connection.rows(
            "SELECT * FROM deltas WHERE snap_id = \(snapID) ORDER BY target, source", logger: logger
        ).map {
            let row = Columns($0)
            return DeltaRecord(
                snapID: try row["snap_id"], source: try row["source"], target: try row["target"],
                format: try row["format"], sha3_384: try row["sha3_384"], size: UInt64(try row["size"] as Int64),
                createdAt: try row["created_at"])
        }
    }

    static func revision(_ row: PostgresRow) throws -> RevisionRecord {
        let row = Columns(row)
        return RevisionRecord(
            snapID: try row["snap_id"], revision: try row["revision"], version: try row["version"],
            type: try row["type"], base: try row["base"],
            architectures: JSONText.strings(try row["architectures"]) ?? ["all"],
            epoch: Epoch(
                read: JSONText.numbers(try row["epoch_read"]) ?? [0],
                write: JSONText.numbers(try row["epoch_write"]) ?? [0]),
            confinement: try row["confinement"], grade: try row["grade"], provenance: try row["provenance"],
            sha3_384: try row["sha3_384"], size: UInt64(try row["size"] as Int64), snapYAML: try row["snap_yaml"],
            createdAt: try row["created_at"])
    }

    // MARK: Channel maps

    public func channelMap(snapID: String) async throws -> ChannelMap {
        try await database.read { connection in
            try await Self.channelMap(snapID: snapID, on: connection, logger: logger)
        }
    }

    static func channelMap(snapID: String, on connection: PostgresConnection, logger: Logger) async throws
        -> ChannelMap
    {
        let snap = try await connection.rows(
            "SELECT default_track, tracks FROM snaps WHERE snap_id = \(snapID)", logger: logger
        ).first.map(Columns.init)
        let releases = try await connection.rows(
            "SELECT * FROM releases WHERE snap_id = \(snapID) ORDER BY id", logger: logger
        ).compactMap { (row: PostgresRow) -> ChannelRelease? in
            let row = Columns(row)
            guard let risk = Risk(rawValue: try row["risk"]) else { return nil }
            let percentage: Double? = try row["progressive"]
            let minimumAttempts: Int? = try row["gate_min_attempts"]
            let haltReason: String? = try row["halt_reason"]
            let gate = try minimumAttempts.map {
                ChannelRelease.HealthGate(
                    failurePercent: try row["gate_percent"], failureCount: try row["gate_count"],
                    minimumAttempts: $0)
            }
            let halt = try haltReason.map {
                ChannelRelease.Halt(
                    reason: $0, failures: try row["halt_failures"] ?? 0, attempts: try row["halt_attempts"] ?? 0,
                    at: try row["halted_at"] ?? 0)
            }
            let progressive = try percentage.map {
                ChannelRelease.Progressive(
                    percentage: $0, paused: try row["paused"], group: try row["target_group"], gate: gate,
                    halt: halt, eventsAfter: try row["events_after"] ?? 0)
            }
            return ChannelRelease(
                channel: Channel(track: try row["track"], risk: risk, branch: try row["branch"]),
                architecture: try row["architecture"], revision: try row["revision"], progressive: progressive,
                expiresAt: try row["expires_at"], releasedAt: try row["released_at"])
        }
        return ChannelMap(
            releases: releases, defaultTrack: try snap?["default_track"] ?? "latest",
            tracks: JSONText.decode(try snap?["tracks"] ?? "") ?? ["latest"])
    }

    public func setChannelMap(snapID: String, _ map: ChannelMap, events: [ReleaseEvent]) async throws {
        try await database.write { connection in
            try await Self.write(map, snapID: snapID, events: events, on: connection, logger: logger)
        }
    }

    static func write(
        _ map: ChannelMap, snapID: String, events: [ReleaseEvent], on connection: PostgresConnection, logger: Logger
    ) async throws {
        try await connection.query(
            """
            UPDATE snaps SET default_track = \(map.defaultTrack), tracks = \(JSONText.encode(map.tracks))
            WHERE snap_id = \(snapID)
            """, logger: logger)
        try await connection.query("DELETE FROM releases WHERE snap_id = \(snapID)", logger: logger)
        for release in map.releases {
            let progressive = release.progressive
            try await connection.query(
                """
                INSERT INTO releases (snap_id, track, risk, branch, architecture, revision, progressive, paused,
                    expires_at, released_at, target_group, gate_percent, gate_count, gate_min_attempts,
                    events_after, halt_reason, halt_failures, halt_attempts, halted_at)
                VALUES (\(snapID), \(release.channel.track), \(release.channel.risk.rawValue),
                    \(release.channel.branch), \(release.architecture), \(release.revision),
                    \(progressive?.percentage), \(progressive?.paused ?? false), \(release.expiresAt),
                    \(release.releasedAt), \(progressive?.group), \(progressive?.gate?.failurePercent),
                    \(progressive?.gate?.failureCount), \(progressive?.gate?.minimumAttempts),
                    \(progressive?.eventsAfter), \(progressive?.halt?.reason), \(progressive?.halt?.failures),
                    \(progressive?.halt?.attempts), \(progressive?.halt?.at))
                """, logger: logger)
        }
        for event in events {
            try await connection.query(
                """
                INSERT INTO release_history (snap_id, channel, architectures, revision, action, percentage,
                    account_id, at, target_group, detail)
                VALUES (\(event.snapID), \(event.channel), \(JSONText.encode(event.architectures)),
                    \(event.revision), \(event.action.rawValue), \(event.percentage), \(event.accountID), \(event.at),
                    \(event.group), \(event.detail))
                """, logger: logger)
        }
    }

    public func releaseHistory(snapID: String) async throws -> [ReleaseEvent] {
        try await database.rows("SELECT * FROM release_history WHERE snap_id = \(snapID) ORDER BY id").map(
            Self.releaseEvent)
    }

    public func latestReleaseEvents(limit: Int) async throws -> [ReleaseEvent] {
        try await database.rows("SELECT * FROM release_history ORDER BY id DESC LIMIT \(limit)").map(
            Self.releaseEvent)
    }

    static func releaseEvent(_ row: PostgresRow) throws -> ReleaseEvent {
        let row = Columns(row)
        return ReleaseEvent(
            snapID: try row["snap_id"], channel: try row["channel"],
            architectures: JSONText.decode(try row["architectures"]) ?? [], revision: try row["revision"],
            action: ReleaseEvent.Action(rawValue: try row["action"]) ?? .release, percentage: try row["percentage"],
            accountID: try row["account_id"], at: try row["at"], group: try row["target_group"],
            detail: try row["detail"])
    }

    // MARK: Assertions

    public func putAssertions(_ assertions: [Assertion]) async throws {
        try await database.write { connection in try await Self.put(assertions, on: connection, logger: logger) }
    }

    /// The rule `SQLiteCatalogue.put` keeps: the same bytes again change nothing, other bytes need a
    /// higher revision.
    static func put(_ assertions: [Assertion], on connection: PostgresConnection, logger: Logger) async throws {
        for assertion in assertions {
            let key = assertion.reference.path
            let type = assertion.type.name
            if let existing = try await connection.rows(
                "SELECT revision, encoded FROM assertions WHERE type = \(type) AND key = \(key)", logger: logger
            ).first.map(Columns.init) {
                let bytes: Data = try existing["encoded"]
                if Array(bytes) == assertion.encoded { continue }
                let revision: Int = try existing["revision"]
                guard assertion.revision > revision else {
                    throw CatalogueError.conflict(
                        "\(assertion.reference) is already stored at revision \(revision); a different one needs a higher revision"
                    )
                }
            }
            try await connection.query(
                """
                INSERT INTO assertions (type, key, revision, encoded, added_at)
                VALUES (\(type), \(key), \(assertion.revision), \(Data(assertion.encoded)),
                    \(Int64(Date().timeIntervalSince1970)))
                ON CONFLICT (type, key) DO UPDATE SET revision = excluded.revision, encoded = excluded.encoded,
                    added_at = excluded.added_at
                """, logger: logger)
        }
    }

    public func assertion(_ reference: AssertionReference) async throws -> Assertion? {
        try await database.rows(
            "SELECT encoded FROM assertions WHERE type = \(reference.type.name) AND key = \(reference.path)"
        ).first.map { try Assertion.decode(Array(try $0.decode(Data.self))) }
    }

    public func assertions(ofType type: AssertionType) async throws -> [Assertion] {
        try await database.rows("SELECT encoded FROM assertions WHERE type = \(type.name) ORDER BY key").map {
            try Assertion.decode(Array(try $0.decode(Data.self)))
        }
    }

    // MARK: Publisher sessions and listings

    public func setAccountEmail(id: String, email: String?) async throws {
        try await database.write { connection in
            try await connection.query("UPDATE accounts SET email = \(email) WHERE id = \(id)", logger: logger)
        }
    }

    public func account(email: String) async throws -> StoreAccount? {
        try await database.rows("SELECT * FROM accounts WHERE email = \(email)").first.map(Self.account)
    }

    public func accountEmail(id: String) async throws -> String? {
        try await database.rows("SELECT email FROM accounts WHERE id = \(id)").first?.decode(String?.self)
    }

    public func addSession(_ session: PublisherSession) async throws {
        try await database.write { connection in
            // Expired logins are of no use to anyone: they go as new ones come.
            try await connection.query(
                "DELETE FROM publisher_sessions WHERE expires_at < \(session.createdAt)", logger: logger)
            try await connection.query(
                """
                INSERT INTO publisher_sessions (id, caveat_id, caveat_key, account_id, permissions, description,
                    expires_at, created_at)
                VALUES (\(session.id), \(session.caveatID), \(Data(session.caveatKey)), \(session.accountID),
                    \(JSONText.encode(session.permissions)), \(session.description), \(session.expiresAt),
                    \(session.createdAt))
                """, logger: logger)
        }
    }

    public func session(id: String) async throws -> PublisherSession? {
        try await database.rows("SELECT * FROM publisher_sessions WHERE id = \(id)").first.map(Self.session)
    }

    public func session(caveatID: String) async throws -> PublisherSession? {
        try await database.rows("SELECT * FROM publisher_sessions WHERE caveat_id = \(caveatID)").first.map(
            Self.session)
    }

    public func bindSession(caveatID: String, to accountID: String) async throws {
        try await database.write { connection in
            try await connection.query(
                "UPDATE publisher_sessions SET account_id = \(accountID) WHERE caveat_id = \(caveatID)",
                logger: logger)
        }
    }

    public func sessions() async throws -> [PublisherSession] {
        try await database.rows("SELECT * FROM publisher_sessions ORDER BY created_at, id").map(Self.session)
    }

    public func deleteSession(id: String) async throws -> Bool {
        try await database.write { connection in
            !(try await connection.rows(
                "DELETE FROM publisher_sessions WHERE id = \(id) RETURNING id", logger: logger)).isEmpty
        }
    }

    static func session(_ row: PostgresRow) throws -> PublisherSession {
        let row = Columns(row)
        let key: Data = try row["caveat_key"]
        return PublisherSession(
            id: try row["id"], caveatID: try row["caveat_id"], caveatKey: Array(key), accountID: try row["account_id"],
            permissions: JSONText.decode(try row["permissions"]) ?? [], description: try row["description"],
            expiresAt: try row["expires_at"], createdAt: try row["created_at"])
    }

    public func dossier(snapID: String) async throws -> SnapDossier? {
        try await dossiers(snapIDs: [snapID])[snapID]
    }

    /// In one snapshot: a refresh's answer never mixes a channel map with another commit's revisions.
    /// Dossiers whose snap's generation has not moved since this replica read them are not read
    /// again (`GenerationCache`).
    public func dossiers(snapIDs: [String]) async throws -> [String: SnapDossier] {
        let wanted = Array(Set(snapIDs))
        return try await database.read { connection in
            var read: [String: SnapDossier] = [:]
            for row in try await connection.rows(
                "SELECT snap_id, generation FROM snaps WHERE snap_id = ANY(\(wanted))", logger: logger)
            {
                let (snapID, generation) = try row.decode((String, Int64).self)
                if let kept = dossierCache.dossier(snapID, at: generation) {
                    read[snapID] = kept
                    continue
                }
                let full = try await connection.rows("SELECT * FROM snaps WHERE snap_id = \(snapID)", logger: logger)
                if let dossier = try await Self.dossier(full.first, on: connection, logger: logger) {
                    read[snapID] = dossier
                    dossierCache.keep(dossier, at: generation)
                }
            }
            return read
        }
    }

    public func dossier(name: String, store: String?) async throws -> SnapDossier? {
        try await database.read { connection in
            let row = try await connection.rows(
                "SELECT * FROM snaps WHERE name = \(name) AND store = \(store ?? "")", logger: logger)
            return try await Self.dossier(row.first, on: connection, logger: logger)
        }
    }

    static func dossier(_ row: PostgresRow?, on connection: PostgresConnection, logger: Logger) async throws
        -> SnapDossier?
    {
        guard let row else { return nil }
        let snap = try Self.snap(row)
        let revisions = try await connection.rows(
            "SELECT * FROM revisions WHERE snap_id = \(snap.snapID) ORDER BY revision", logger: logger
        ).map(Self.revision)
        let publisher = try await connection.rows(
            "SELECT * FROM accounts WHERE id = \(snap.publisherID)", logger: logger
        ).first.map(Self.account)
        let metadata: String = try Columns(row)["metadata"]
        return SnapDossier(
            snap: snap, channelMap: try await channelMap(snapID: snap.snapID, on: connection, logger: logger),
            revisions: revisions, publisher: publisher, listing: JSONText.decode(metadata) ?? SnapListing(),
            deltas: try await deltas(snapID: snap.snapID, on: connection, logger: logger))
    }

    public func snapListing(snapID: String) async throws -> SnapListing {
        let text = try await database.rows("SELECT metadata FROM snaps WHERE snap_id = \(snapID)").first?.decode(
            String.self)
        return text.flatMap { JSONText.decode($0) } ?? SnapListing()
    }

    public func setSnapListing(snapID: String, _ listing: SnapListing) async throws {
        try await database.write { connection in
            try await connection.query(
                "UPDATE snaps SET metadata = \(JSONText.encode(listing)) WHERE snap_id = \(snapID)", logger: logger)
        }
    }

    public func snaps(publisherID: String) async throws -> [SnapRecord] {
        try await database.rows("SELECT * FROM snaps WHERE publisher_id = \(publisherID) ORDER BY name").map(
            Self.snap)
    }

    public func allSnaps() async throws -> [SnapRecord] {
        try await database.rows("SELECT * FROM snaps ORDER BY name").map(Self.snap)
    }

    public func unregisterSnap(snapID: String) async throws {
        try await database.write { connection in
            let revisions =
                try await connection.rows(
                    "SELECT COUNT(*) FROM revisions WHERE snap_id = \(snapID)", logger: logger
                ).first?.decode(Int.self) ?? 0
            guard revisions == 0 else {
                throw CatalogueError.conflict(
                    "the snap has \(revisions) revisions; only a name without revisions can be unregistered")
            }
            try await connection.query("DELETE FROM release_history WHERE snap_id = \(snapID)", logger: logger)
            try await connection.query(
                """
                DELETE FROM assertions WHERE type = 'snap-declaration' AND key = \("snap-declaration/16/\(snapID)")
                """, logger: logger)
            try await connection.query("DELETE FROM snaps WHERE snap_id = \(snapID)", logger: logger)
        }
    }
}
