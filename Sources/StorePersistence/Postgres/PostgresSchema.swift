import Logging
import PostgresNIO

/// The catalogue's tables on PostgreSQL: the tables, columns and keys of the SQLite schema
/// (`Schema`, at its v11) in PostgreSQL's types — 64-bit integers, booleans, `bytea` — with the
/// two things SQLite gave implicitly made explicit: an identity column where SQLite used `rowid`
/// for insertion order, and sequences for `AUTOINCREMENT`. Applied migrations are recorded in
/// `snapdepot_migrations`; replicas starting together migrate one at a time under an advisory lock.
enum PostgresSchema {
    /// Named, ordered migrations; a name once released never changes.
    static let migrations: [(name: String, sql: String)] = [
        (
            "v1: the catalogue (SQLite schema v11)",
            """
            CREATE TABLE accounts (
                id TEXT PRIMARY KEY,
                username TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                validation TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                email TEXT UNIQUE
            );
            CREATE TABLE tokens (
                hash TEXT PRIMARY KEY,
                account_id TEXT REFERENCES accounts(id),
                role TEXT NOT NULL CHECK (role IN ('admin', 'publisher')),
                description TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT
            );
            CREATE TABLE snaps (
                snap_id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                publisher_id TEXT NOT NULL REFERENCES accounts(id),
                store TEXT NOT NULL DEFAULT '',
                private BOOLEAN NOT NULL DEFAULT FALSE,
                default_track TEXT NOT NULL DEFAULT 'latest',
                tracks TEXT NOT NULL DEFAULT '["latest"]',
                created_at BIGINT NOT NULL,
                metadata TEXT NOT NULL DEFAULT '{}',
                UNIQUE (name, store)
            );
            CREATE TABLE revisions (
                snap_id TEXT NOT NULL REFERENCES snaps(snap_id),
                revision BIGINT NOT NULL CHECK (revision >= 1),
                version TEXT NOT NULL,
                type TEXT NOT NULL,
                base TEXT NOT NULL,
                architectures TEXT NOT NULL,
                epoch_read TEXT NOT NULL,
                epoch_write TEXT NOT NULL,
                confinement TEXT NOT NULL,
                grade TEXT,
                provenance TEXT NOT NULL,
                sha3_384 TEXT NOT NULL,
                size BIGINT NOT NULL,
                snap_yaml TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (snap_id, revision)
            );
            CREATE INDEX revisions_by_digest ON revisions(sha3_384);
            CREATE TABLE releases (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                snap_id TEXT NOT NULL REFERENCES snaps(snap_id),
                track TEXT NOT NULL,
                risk TEXT NOT NULL,
                branch TEXT NOT NULL,
                architecture TEXT NOT NULL,
                revision BIGINT NOT NULL,
                progressive DOUBLE PRECISION,
                paused BOOLEAN NOT NULL DEFAULT FALSE,
                expires_at BIGINT,
                released_at BIGINT NOT NULL,
                target_group TEXT,
                gate_percent DOUBLE PRECISION,
                gate_count BIGINT,
                gate_min_attempts BIGINT,
                events_after BIGINT,
                halt_reason TEXT,
                halt_failures BIGINT,
                halt_attempts BIGINT,
                halted_at BIGINT,
                FOREIGN KEY (snap_id, revision) REFERENCES revisions(snap_id, revision)
            );
            CREATE INDEX releases_by_snap ON releases(snap_id);
            CREATE TABLE release_history (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                snap_id TEXT NOT NULL REFERENCES snaps(snap_id),
                channel TEXT NOT NULL,
                architectures TEXT NOT NULL,
                revision BIGINT,
                action TEXT NOT NULL,
                percentage DOUBLE PRECISION,
                account_id TEXT,
                at BIGINT NOT NULL,
                target_group TEXT,
                detail TEXT
            );
            CREATE INDEX release_history_by_snap ON release_history(snap_id);
            CREATE TABLE assertions (
                type TEXT NOT NULL,
                key TEXT NOT NULL,
                revision BIGINT NOT NULL,
                encoded BYTEA NOT NULL,
                added_at BIGINT NOT NULL,
                PRIMARY KEY (type, key)
            );
            CREATE TABLE publisher_sessions (
                id TEXT PRIMARY KEY,
                caveat_id TEXT NOT NULL UNIQUE,
                caveat_key BYTEA NOT NULL,
                account_id TEXT REFERENCES accounts(id),
                permissions TEXT NOT NULL,
                description TEXT NOT NULL,
                expires_at BIGINT NOT NULL,
                created_at BIGINT NOT NULL
            );
            CREATE TABLE serial_requests (
                request_id TEXT PRIMARY KEY,
                issued_at BIGINT NOT NULL,
                device_key_id TEXT,
                first_posted_at BIGINT,
                issued_serial TEXT
            );
            CREATE INDEX serial_requests_by_issue ON serial_requests(issued_at);
            CREATE TABLE serial_sequences (
                brand_id TEXT NOT NULL,
                model TEXT NOT NULL,
                last BIGINT NOT NULL,
                PRIMARY KEY (brand_id, model)
            );
            CREATE TABLE devices (
                brand_id TEXT NOT NULL,
                model TEXT NOT NULL,
                serial TEXT NOT NULL,
                device_key_id TEXT NOT NULL,
                registered_at BIGINT,
                signed_by TEXT,
                first_seen BIGINT NOT NULL,
                last_seen BIGINT NOT NULL,
                last_session BIGINT,
                PRIMARY KEY (brand_id, model, serial)
            );
            CREATE INDEX devices_by_key ON devices(device_key_id);
            CREATE INDEX devices_by_last_seen ON devices(last_seen);
            CREATE TABLE device_sessions (
                token_hash TEXT PRIMARY KEY,
                brand_id TEXT NOT NULL,
                model TEXT NOT NULL,
                serial TEXT NOT NULL,
                opened_at BIGINT NOT NULL,
                sequence BIGINT GENERATED ALWAYS AS IDENTITY,
                FOREIGN KEY (brand_id, model, serial) REFERENCES devices(brand_id, model, serial)
            );
            CREATE INDEX device_sessions_by_device ON device_sessions (brand_id, model, serial, opened_at);
            CREATE TABLE device_snaps (
                serial_key TEXT NOT NULL,
                snap_id TEXT NOT NULL,
                revision BIGINT NOT NULL,
                channel TEXT NOT NULL,
                refreshed_date TEXT,
                reported_at BIGINT NOT NULL,
                pending_revision BIGINT,
                PRIMARY KEY (serial_key, snap_id)
            );
            CREATE TABLE device_events (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                serial_key TEXT NOT NULL,
                snap_id TEXT NOT NULL,
                revision BIGINT NOT NULL,
                kind TEXT NOT NULL,
                at BIGINT NOT NULL,
                detail TEXT
            );
            CREATE INDEX device_events_by_device ON device_events(serial_key, id);
            CREATE INDEX device_events_by_revision ON device_events(snap_id, revision, id);
            CREATE TABLE device_tags (
                serial_key TEXT NOT NULL,
                tag TEXT NOT NULL,
                PRIMARY KEY (serial_key, tag)
            );
            CREATE INDEX device_tags_by_tag ON device_tags(tag);
            CREATE TABLE device_groups (
                name TEXT PRIMARY KEY,
                brand_id TEXT NOT NULL,
                model TEXT,
                tag TEXT,
                serials TEXT
            );
            CREATE TABLE faults (
                id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                description TEXT NOT NULL,
                fired BIGINT NOT NULL DEFAULT 0
            );
            CREATE TABLE vault_policies (
                brand_id TEXT PRIMARY KEY,
                mode TEXT NOT NULL,
                api_key_hash TEXT,
                serial_patterns TEXT NOT NULL DEFAULT ''
            );
            CREATE TABLE deltas (
                snap_id TEXT NOT NULL,
                source BIGINT NOT NULL,
                target BIGINT NOT NULL,
                format TEXT NOT NULL,
                sha3_384 TEXT,
                size BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (snap_id, source, target, format),
                FOREIGN KEY (snap_id, source) REFERENCES revisions(snap_id, revision),
                FOREIGN KEY (snap_id, target) REFERENCES revisions(snap_id, revision)
            );
            """
        ),
        (
            "v2: device nonces, which replicas share",
            """
            CREATE TABLE device_nonces (
                nonce TEXT PRIMARY KEY,
                expires_at BIGINT NOT NULL
            );
            CREATE INDEX device_nonces_by_expiry ON device_nonces(expires_at);
            """
        ),
    ]

    /// An arbitrary constant of this program's: the advisory lock replicas migrate under.
    static let migrationLock: Int64 = 0x736e_6170_6465_706f
    /// The first key of the two-key advisory locks that order changes of one snap across replicas.
    static let snapLockClass: Int32 = 0x736e_6170

    /// Applies the migrations `client`'s database has not seen, each in its own transaction.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(migrationLock))", logger: logger)
            do {
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS snapdepot_migrations (
                        name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """, logger: logger)
                var applied: Set<String> = []
                for try await name in try await connection.query(
                    "SELECT name FROM snapdepot_migrations", logger: logger
                ).decode(String.self) {
                    applied.insert(name)
                }
                for migration in migrations where !applied.contains(migration.name) {
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        // One statement per query (the extended protocol takes one); the
                        // migrations hold no semicolon but between statements.
                        for statement in migration.sql.split(separator: ";")
                        where !statement.allSatisfy(\.isWhitespace) {
                            try await connection.query(PostgresQuery(unsafeSQL: String(statement)), logger: logger)
                        }
                        try await connection.query(
                            "INSERT INTO snapdepot_migrations (name) VALUES (\(migration.name))", logger: logger)
                        try await connection.query("COMMIT", logger: logger)
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                    logger.info("catalogue migrated", metadata: ["migration": "\(migration.name)"])
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(migrationLock))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(\(migrationLock))", logger: logger)
        }
    }
}
