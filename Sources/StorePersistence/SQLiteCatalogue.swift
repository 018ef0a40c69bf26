import Assertions
import Foundation
import GRDB
import SnapFiles
import StoreCore
import StoreProtocol

/// The catalogue in one SQLite file through GRDB: WAL (readers never wait for the writer), foreign
/// keys on, one writer at a time, every write one transaction.
public final class SQLiteCatalogue: Catalogue {
    /// The database: a WAL pool on a file in a store, an in-memory queue in tests
    /// (`SQLiteCatalogue(writer: DatabaseQueue())`), where GRDB offers the same reads and writes.
    public let writer: any DatabaseWriter
    let dossierCache = DossierCache()
    let writtenReports = WrittenReports()

    public convenience init(path: String) throws {
        try self.init(writer: DatabasePool(path: path, configuration: Self.configuration))
    }

    /// Migrates `writer` to the current schema and serves the catalogue from it.
    public init(writer: any DatabaseWriter) throws {
        self.writer = writer
        try Schema.migrator.migrate(writer)
        writer.add(transactionObserver: dossierCache, extent: .databaseLifetime)
    }

    public static var configuration: Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        return configuration
    }

    /// `PRAGMA integrity_check`, "ok" when the file is sound.
    public func integrityCheck() async throws -> String {
        try await writer.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "no answer" }
    }

    public func journalMode() async throws -> String {
        try await writer.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    // MARK: Accounts and tokens

    public func createAccount(_ account: StoreAccount, assertions: [Assertion]) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT INTO accounts (id, username, display_name, validation, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [account.id, account.username, account.displayName, account.validation, account.createdAt])
            try Self.put(assertions, in: db)
        }
    }

    public func account(id: String) async throws -> StoreAccount? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE id = ?", arguments: [id]).map(Self.account)
        }
    }

    public func account(username: String) async throws -> StoreAccount? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE username = ?", arguments: [username]).map(
                Self.account)
        }
    }

    public func accounts() async throws -> [StoreAccount] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM accounts ORDER BY username").map(Self.account)
        }
    }

    static func account(_ row: Row) -> StoreAccount {
        StoreAccount(
            id: row["id"], username: row["username"], displayName: row["display_name"], validation: row["validation"],
            createdAt: row["created_at"])
    }

    public func addToken(_ token: TokenRecord) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO tokens (hash, account_id, role, description, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    token.hash, token.accountID, token.role.rawValue, token.description, token.createdAt,
                    token.expiresAt,
                ])
        }
    }

    public func token(hash: String) async throws -> TokenRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM tokens WHERE hash = ?", arguments: [hash]).map(Self.token)
        }
    }

    public func tokens() async throws -> [TokenRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tokens ORDER BY created_at, hash").map(Self.token)
        }
    }

    public func deleteToken(hash: String) async throws -> Bool {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM tokens WHERE hash = ?", arguments: [hash])
            return db.changesCount > 0
        }
    }

    static func token(_ row: Row) -> TokenRecord {
        TokenRecord(
            hash: row["hash"], accountID: row["account_id"], role: Role(rawValue: row["role"]) ?? .publisher,
            description: row["description"], createdAt: row["created_at"], expiresAt: row["expires_at"])
    }

    // MARK: Snaps and revisions

    public func registerSnap(_ snap: SnapRecord, declaration: Assertion) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO snaps (snap_id, name, publisher_id, store, private, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [snap.snapID, snap.name, snap.publisherID, snap.store ?? "", snap.isPrivate, snap.createdAt])
            try Self.put([declaration], in: db)
        }
    }

    public func snap(name: String, store: String?) async throws -> SnapRecord? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM snaps WHERE name = ? AND store = ?", arguments: [name, store ?? ""]
            )
            .map(Self.snap)
        }
    }

    public func snap(id: String) async throws -> SnapRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM snaps WHERE snap_id = ?", arguments: [id]).map(Self.snap)
        }
    }

    static func snap(_ row: Row) -> SnapRecord {
        let store: String = row["store"]
        return SnapRecord(
            snapID: row["snap_id"], name: row["name"], publisherID: row["publisher_id"],
            store: store.isEmpty ? nil : store,
            isPrivate: row["private"], createdAt: row["created_at"])
    }

    public func addRevision(
        _ revision: RevisionRecord, assertions: [Assertion], channelMap: ChannelMap?, events: [ReleaseEvent]
    ) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO revisions (snap_id, revision, version, type, base, architectures, epoch_read,
                        epoch_write, confinement, grade, provenance, sha3_384, size, snap_yaml, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    revision.snapID, revision.revision, revision.version, revision.type, revision.base,
                    JSONText.encode(revision.architectures), JSONText.encode(revision.epoch.read),
                    JSONText.encode(revision.epoch.write), revision.confinement, revision.grade, revision.provenance,
                    revision.sha3_384, Int64(revision.size), revision.snapYAML, revision.createdAt,
                ])
            try Self.put(assertions, in: db)
            if let channelMap {
                try Self.write(channelMap, snapID: revision.snapID, events: events, in: db)
            }
        }
    }

    public func revisions(snapID: String) async throws -> [RevisionRecord] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM revisions WHERE snap_id = ? ORDER BY revision", arguments: [snapID]
            )
            .map(Self.revision)
        }
    }

    public func revision(snapID: String, revision: Int) async throws -> RevisionRecord? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM revisions WHERE snap_id = ? AND revision = ?", arguments: [snapID, revision]
            ).map(Self.revision)
        }
    }

    public func revisions(sha3_384: String) async throws -> [RevisionRecord] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM revisions WHERE sha3_384 = ?", arguments: [sha3_384]).map(
                Self.revision)
        }
    }

    public func allBlobDigests() async throws -> Set<String> {
        try await writer.read { db in
            Set(
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT sha3_384 FROM revisions
                        UNION SELECT sha3_384 FROM deltas WHERE sha3_384 IS NOT NULL
                        """))
        }
    }

    public func addDelta(_ delta: DeltaRecord) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO deltas (snap_id, source, target, format, sha3_384, size, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    delta.snapID, delta.source, delta.target, delta.format, delta.sha3_384, delta.size,
                    delta.createdAt,
                ])
        }
    }

    public func deltas(snapID: String) async throws -> [DeltaRecord] {
        try await writer.read { db in try Self.deltas(snapID: snapID, in: db) }
    }

    static func deltas(snapID: String, in db: Database) throws -> [DeltaRecord] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM deltas WHERE snap_id = ? ORDER BY target, source"),
            arguments: [snapID]
        ).map {
            DeltaRecord(
                snapID: $0["snap_id"], source: $0["source"], target: $0["target"], format: $0["format"],
                sha3_384: $0["sha3_384"], size: $0["size"], createdAt: $0["created_at"])
        }
    }

    static func revision(_ row: Row) -> RevisionRecord {
        RevisionRecord(
            snapID: row["snap_id"], revision: row["revision"], version: row["version"], type: row["type"],
            base: row["base"], architectures: JSONText.strings(row["architectures"]) ?? ["all"],
            epoch: Epoch(
                read: JSONText.numbers(row["epoch_read"]) ?? [0], write: JSONText.numbers(row["epoch_write"]) ?? [0]),
            confinement: row["confinement"], grade: row["grade"], provenance: row["provenance"],
            sha3_384: row["sha3_384"], size: UInt64(row["size"] as Int64), snapYAML: row["snap_yaml"],
            createdAt: row["created_at"])
    }

    // MARK: Channel maps

    public func channelMap(snapID: String) async throws -> ChannelMap {
        try await writer.read { db in try Self.channelMap(snapID: snapID, in: db) }
    }

    static func channelMap(snapID: String, in db: Database) throws -> ChannelMap {
        let snap = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT default_track, tracks FROM snaps WHERE snap_id = ?"), arguments: [snapID])
        let releases = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM releases WHERE snap_id = ?"), arguments: [snapID]
        )
        .compactMap {
            (row: Row) -> ChannelRelease? in
            guard let risk = Risk(rawValue: row["risk"]) else { return nil }
            let percentage: Double? = row["progressive"]
            let minimumAttempts: Int? = row["gate_min_attempts"]
            let haltReason: String? = row["halt_reason"]
            return ChannelRelease(
                channel: Channel(track: row["track"], risk: risk, branch: row["branch"]),
                architecture: row["architecture"],
                revision: row["revision"],
                progressive: percentage.map {
                    ChannelRelease.Progressive(
                        percentage: $0, paused: row["paused"], group: row["target_group"],
                        gate: minimumAttempts.map {
                            ChannelRelease.HealthGate(
                                failurePercent: row["gate_percent"], failureCount: row["gate_count"],
                                minimumAttempts: $0)
                        },
                        halt: haltReason.map {
                            ChannelRelease.Halt(
                                reason: $0, failures: row["halt_failures"] ?? 0, attempts: row["halt_attempts"] ?? 0,
                                at: row["halted_at"] ?? 0)
                        }, eventsAfter: row["events_after"] ?? 0)
                },
                expiresAt: row["expires_at"], releasedAt: row["released_at"])
        }
        return ChannelMap(
            releases: releases, defaultTrack: snap?["default_track"] ?? "latest",
            tracks: JSONText.decode(snap?["tracks"] ?? "") ?? ["latest"])
    }

    public func setChannelMap(snapID: String, _ map: ChannelMap, events: [ReleaseEvent]) async throws {
        try await writer.write { db in try Self.write(map, snapID: snapID, events: events, in: db) }
    }

    static func write(_ map: ChannelMap, snapID: String, events: [ReleaseEvent], in db: Database) throws {
        try db.execute(
            sql: "UPDATE snaps SET default_track = ?, tracks = ? WHERE snap_id = ?",
            arguments: [map.defaultTrack, JSONText.encode(map.tracks), snapID])
        try db.execute(sql: "DELETE FROM releases WHERE snap_id = ?", arguments: [snapID])
        for release in map.releases {
            try db.execute(
                sql: """
                    INSERT INTO releases (snap_id, track, risk, branch, architecture, revision, progressive, paused,
                        expires_at, released_at, target_group, gate_percent, gate_count, gate_min_attempts,
                        events_after, halt_reason, halt_failures, halt_attempts, halted_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    snapID, release.channel.track, release.channel.risk.rawValue, release.channel.branch,
                    release.architecture, release.revision, release.progressive?.percentage,
                    release.progressive?.paused ?? false, release.expiresAt, release.releasedAt,
                    release.progressive?.group, release.progressive?.gate?.failurePercent,
                    release.progressive?.gate?.failureCount, release.progressive?.gate?.minimumAttempts,
                    release.progressive?.eventsAfter, release.progressive?.halt?.reason,
                    release.progressive?.halt?.failures,
                    release.progressive?.halt?.attempts, release.progressive?.halt?.at,
                ])
        }
        for event in events {
            try db.execute(
                sql: """
                    INSERT INTO release_history (snap_id, channel, architectures, revision, action, percentage,
                        account_id, at, target_group, detail)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    event.snapID, event.channel, JSONText.encode(event.architectures), event.revision,
                    event.action.rawValue, event.percentage, event.accountID, event.at, event.group, event.detail,
                ])
        }
    }

    public func releaseHistory(snapID: String) async throws -> [ReleaseEvent] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM release_history WHERE snap_id = ? ORDER BY id", arguments: [snapID]
            ).map(Self.releaseEvent)
        }
    }

    public func latestReleaseEvents(limit: Int) async throws -> [ReleaseEvent] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM release_history ORDER BY id DESC LIMIT ?", arguments: [limit])
                .map(Self.releaseEvent)
        }
    }

    static func releaseEvent(_ row: Row) -> ReleaseEvent {
        ReleaseEvent(
            snapID: row["snap_id"], channel: row["channel"], architectures: JSONText.decode(row["architectures"]) ?? [],
            revision: row["revision"], action: ReleaseEvent.Action(rawValue: row["action"]) ?? .release,
            percentage: row["percentage"], accountID: row["account_id"], at: row["at"], group: row["target_group"],
            detail: row["detail"])
    }

    // MARK: Assertions

    public func putAssertions(_ assertions: [Assertion]) async throws {
        try await writer.write { db in try Self.put(assertions, in: db) }
    }

    static func put(_ assertions: [Assertion], in db: Database) throws {
        for assertion in assertions {
            let key = assertion.reference.path
            let type = assertion.type.name
            if let existing = try Row.fetchOne(
                db, sql: "SELECT revision, encoded FROM assertions WHERE type = ? AND key = ?", arguments: [type, key])
            {
                let bytes: Data = existing["encoded"]
                if Array(bytes) == assertion.encoded { continue }
                let revision: Int = existing["revision"]
                guard assertion.revision > revision else {
                    throw CatalogueError.conflict(
                        "\(assertion.reference) is already stored at revision \(revision); a different one needs a higher revision"
                    )
                }
            }
            try db.execute(
                sql:
                    "INSERT OR REPLACE INTO assertions (type, key, revision, encoded, added_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    type, key, assertion.revision, Data(assertion.encoded), Int64(Date().timeIntervalSince1970),
                ])
        }
    }

    public func assertion(_ reference: AssertionReference) async throws -> Assertion? {
        let bytes = try await writer.read { db in
            try Data.fetchOne(
                db, sql: "SELECT encoded FROM assertions WHERE type = ? AND key = ?",
                arguments: [reference.type.name, reference.path])
        }
        return try bytes.map { try Assertion.decode(Array($0)) }
    }

    public func assertions(ofType type: AssertionType) async throws -> [Assertion] {
        let all = try await writer.read { db in
            try Data.fetchAll(
                db, sql: "SELECT encoded FROM assertions WHERE type = ? ORDER BY key", arguments: [type.name])
        }
        return try all.map { try Assertion.decode(Array($0)) }
    }

    // MARK: Publisher sessions and listings

    public func setAccountEmail(id: String, email: String?) async throws {
        try await writer.write { db in
            try db.execute(sql: "UPDATE accounts SET email = ? WHERE id = ?", arguments: [email, id])
        }
    }

    public func account(email: String) async throws -> StoreAccount? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM accounts WHERE email = ?", arguments: [email]).map(Self.account)
        }
    }

    public func accountEmail(id: String) async throws -> String? {
        try await writer.read { db in
            try String.fetchOne(db, sql: "SELECT email FROM accounts WHERE id = ?", arguments: [id])
        }
    }

    public func addSession(_ session: PublisherSession) async throws {
        try await writer.write { db in
            // Expired logins are of no use to anyone: they go as new ones come.
            try db.execute(sql: "DELETE FROM publisher_sessions WHERE expires_at < ?", arguments: [session.createdAt])
            try db.execute(
                sql: """
                    INSERT INTO publisher_sessions (id, caveat_id, caveat_key, account_id, permissions, description,
                        expires_at, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    session.id, session.caveatID, Data(session.caveatKey), session.accountID,
                    JSONText.encode(session.permissions), session.description, session.expiresAt, session.createdAt,
                ])
        }
    }

    public func session(id: String) async throws -> PublisherSession? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM publisher_sessions WHERE id = ?", arguments: [id]).map(
                Self.session)
        }
    }

    public func session(caveatID: String) async throws -> PublisherSession? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM publisher_sessions WHERE caveat_id = ?", arguments: [caveatID])
                .map(Self.session)
        }
    }

    public func bindSession(caveatID: String, to accountID: String) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE publisher_sessions SET account_id = ? WHERE caveat_id = ?",
                arguments: [accountID, caveatID])
        }
    }

    public func sessions() async throws -> [PublisherSession] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM publisher_sessions ORDER BY created_at, id").map(Self.session)
        }
    }

    public func deleteSession(id: String) async throws -> Bool {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM publisher_sessions WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    static func session(_ row: Row) -> PublisherSession {
        let key: Data = row["caveat_key"]
        return PublisherSession(
            id: row["id"], caveatID: row["caveat_id"], caveatKey: Array(key), accountID: row["account_id"],
            permissions: JSONText.decode(row["permissions"]) ?? [], description: row["description"],
            expiresAt: row["expires_at"], createdAt: row["created_at"])
    }

    public func dossier(snapID: String) async throws -> SnapDossier? {
        try await dossiers(snapIDs: [snapID])[snapID]
    }

    /// From `DossierCache` while no commit has changed them; from the database otherwise.
    public func dossiers(snapIDs: [String]) async throws -> [String: SnapDossier] {
        // A refresh of twenty snaps finds them all kept: no sets of their ids to build then.
        let (kept, missing) = dossierCache.dossiers(snapIDs)
        guard !missing.isEmpty else { return kept }
        var found = kept
        let generation = dossierCache.generation
        let read = try await writer.read { db in
            var read: [String: SnapDossier] = [:]
            let statement = try db.cachedStatement(sql: "SELECT * FROM snaps WHERE snap_id = ?")
            for snapID in missing {
                if let dossier = try Self.dossier(Row.fetchOne(statement, arguments: [snapID]), in: db) {
                    read[snapID] = dossier
                }
            }
            return read
        }
        dossierCache.keep(read, readAt: generation)
        found.merge(read) { _, new in new }
        return found
    }

    public func dossier(name: String, store: String?) async throws -> SnapDossier? {
        try await writer.read { db in
            try Self.dossier(
                Row.fetchOne(
                    db.cachedStatement(sql: "SELECT * FROM snaps WHERE name = ? AND store = ?"),
                    arguments: [name, store ?? ""]),
                in: db)
        }
    }

    /// Cached statements: a refresh asks the same few questions for every installed snap.
    static func dossier(_ row: Row?, in db: Database) throws -> SnapDossier? {
        guard let row else { return nil }
        let snap = Self.snap(row)
        let revisions = try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM revisions WHERE snap_id = ? ORDER BY revision"),
            arguments: [snap.snapID]
        ).map(Self.revision)
        let publisher = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM accounts WHERE id = ?"), arguments: [snap.publisherID]
        ).map(Self.account)
        let metadata: String? = row["metadata"]
        return SnapDossier(
            snap: snap, channelMap: try channelMap(snapID: snap.snapID, in: db), revisions: revisions,
            publisher: publisher, listing: metadata.flatMap { JSONText.decode($0) } ?? SnapListing(),
            deltas: try deltas(snapID: snap.snapID, in: db))
    }

    public func snapListing(snapID: String) async throws -> SnapListing {
        try await writer.read { db in
            let text = try String.fetchOne(db, sql: "SELECT metadata FROM snaps WHERE snap_id = ?", arguments: [snapID])
            return text.flatMap { JSONText.decode($0) } ?? SnapListing()
        }
    }

    public func setSnapListing(snapID: String, _ listing: SnapListing) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE snaps SET metadata = ? WHERE snap_id = ?", arguments: [JSONText.encode(listing), snapID])
        }
    }

    public func snaps(publisherID: String) async throws -> [SnapRecord] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM snaps WHERE publisher_id = ? ORDER BY name", arguments: [publisherID]
            )
            .map(Self.snap)
        }
    }

    public func allSnaps() async throws -> [SnapRecord] {
        try await writer.read { db in try Row.fetchAll(db, sql: "SELECT * FROM snaps ORDER BY name").map(Self.snap) }
    }

    public func unregisterSnap(snapID: String) async throws {
        try await writer.write { db in
            let revisions =
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM revisions WHERE snap_id = ?", arguments: [snapID]) ?? 0
            guard revisions == 0 else {
                throw CatalogueError.conflict(
                    "the snap has \(revisions) revisions; only a name without revisions can be unregistered")
            }
            try db.execute(sql: "DELETE FROM release_history WHERE snap_id = ?", arguments: [snapID])
            try db.execute(
                sql: "DELETE FROM assertions WHERE type = 'snap-declaration' AND key = ?",
                arguments: ["snap-declaration/16/\(snapID)"])
            try db.execute(sql: "DELETE FROM snaps WHERE snap_id = ?", arguments: [snapID])
        }
    }
}

public enum CatalogueError: Error, CustomStringConvertible, Sendable {
    case conflict(String)

    public var description: String {
        switch self {
        case .conflict(let message): message
        }
    }
}

/// JSON columns: arrays stored as compact JSON text.
enum JSONText {
    static func encode<Value: Encodable>(_ value: Value) -> String {
        (try? JSONEncoder().encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    static func decode<Value: Decodable>(_ text: String) -> Value? {
        try? JSONDecoder().decode(Value.self, from: Data(text.utf8))
    }

    /// The architecture lists of revision rows, as `encode` writes them (`["amd64","armhf"]`),
    /// without a JSONDecoder: a refresh reads dozens per request. Anything else goes to `decode`.
    static func strings(_ text: String) -> [String]? {
        let bytes = Array(text.utf8)
        guard bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]") else { return decode(text) }
        if bytes.count == 2 { return [] }
        var result: [String] = []
        var index = 1
        while index < bytes.count - 1 {
            guard bytes[index] == UInt8(ascii: "\"") else { return decode(text) }
            var end = index + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
                if bytes[end] == UInt8(ascii: "\\") { return decode(text) }
                end += 1
            }
            guard end < bytes.count - 1 else { return decode(text) }
            result.append(String(decoding: bytes[(index + 1)..<end], as: UTF8.self))
            index = end + 1
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if index != bytes.count - 1 {
                return decode(text)
            }
        }
        return result
    }

    /// Epoch lists of revision rows (`[0]`, `[1,2]`), without a JSONDecoder.
    static func numbers(_ text: String) -> [UInt32]? {
        guard text.hasPrefix("["), text.hasSuffix("]") else { return decode(text) }
        let inner = text.dropFirst().dropLast()
        if inner.isEmpty { return [] }
        var result: [UInt32] = []
        for part in inner.split(separator: ",", omittingEmptySubsequences: false) {
            guard let number = UInt32(part) else { return decode(text) }
            result.append(number)
        }
        return result
    }
}
