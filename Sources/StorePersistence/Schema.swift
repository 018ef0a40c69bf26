import Foundation
import GRDB

/// The catalogue's tables, written once for both engines as named, ordered migrations: GRDB
/// records the ones SQLite applied in `grdb_migrations`, `PostgresSchema` the ones PostgreSQL
/// applied in `snapdepot_migrations`. The few words the engines spell differently are tokens
/// (`CatalogueMigration.sql(for:)`); a step only one engine needs says so.
enum Schema {
    static let migrations: [CatalogueMigration] = [
        CatalogueMigration(
            "v1: accounts, snaps, revisions, channel maps, assertions",
            """
            CREATE TABLE settings (
                name TEXT PRIMARY KEY,
                value TEXT NOT NULL
            );
            CREATE TABLE accounts (
                id TEXT PRIMARY KEY,
                username TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                validation TEXT NOT NULL,
                created_at {INT} NOT NULL
            );
            CREATE TABLE tokens (
                hash TEXT PRIMARY KEY,
                account_id TEXT REFERENCES accounts(id),
                role TEXT NOT NULL CHECK (role IN ('admin', 'publisher')),
                description TEXT NOT NULL,
                created_at {INT} NOT NULL
            );
            CREATE TABLE snaps (
                snap_id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                publisher_id TEXT NOT NULL REFERENCES accounts(id),
                store TEXT NOT NULL DEFAULT '',
                private {BOOL} NOT NULL DEFAULT {FALSE},
                default_track TEXT NOT NULL DEFAULT 'latest',
                tracks TEXT NOT NULL DEFAULT '["latest"]',
                created_at {INT} NOT NULL,
                UNIQUE (name, store)
            );
            CREATE TABLE revisions (
                snap_id TEXT NOT NULL REFERENCES snaps(snap_id),
                revision {INT} NOT NULL CHECK (revision >= 1),
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
                size {INT} NOT NULL,
                snap_yaml TEXT NOT NULL,
                created_at {INT} NOT NULL,
                PRIMARY KEY (snap_id, revision)
            );
            CREATE INDEX revisions_by_digest ON revisions(sha3_384);
            CREATE TABLE releases (
                snap_id TEXT NOT NULL REFERENCES snaps(snap_id),
                track TEXT NOT NULL,
                risk TEXT NOT NULL,
                branch TEXT NOT NULL,
                architecture TEXT NOT NULL,
                revision {INT} NOT NULL,
                progressive {REAL},
                paused {BOOL} NOT NULL DEFAULT {FALSE},
                expires_at {INT},
                released_at {INT} NOT NULL,
                FOREIGN KEY (snap_id, revision) REFERENCES revisions(snap_id, revision)
            );
            CREATE INDEX releases_by_snap ON releases(snap_id);
            CREATE TABLE release_history (
                id {ID},
                snap_id TEXT NOT NULL REFERENCES snaps(snap_id),
                channel TEXT NOT NULL,
                architectures TEXT NOT NULL,
                revision {INT},
                action TEXT NOT NULL,
                percentage {REAL},
                account_id TEXT,
                at {INT} NOT NULL
            );
            CREATE INDEX release_history_by_snap ON release_history(snap_id);
            CREATE TABLE assertions (
                type TEXT NOT NULL,
                key TEXT NOT NULL,
                revision {INT} NOT NULL,
                encoded {BLOB} NOT NULL,
                added_at {INT} NOT NULL,
                PRIMARY KEY (type, key)
            );
            """),
        CatalogueMigration(
            "v2: publisher sessions, emails, snap metadata",
            """
            ALTER TABLE accounts ADD COLUMN email TEXT;
            CREATE UNIQUE INDEX accounts_by_email ON accounts(email) WHERE email IS NOT NULL;
            ALTER TABLE snaps ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
            CREATE TABLE publisher_sessions (
                id TEXT PRIMARY KEY,
                caveat_id TEXT NOT NULL UNIQUE,
                caveat_key {BLOB} NOT NULL,
                account_id TEXT REFERENCES accounts(id),
                permissions TEXT NOT NULL,
                description TEXT NOT NULL,
                expires_at {INT} NOT NULL,
                created_at {INT} NOT NULL
            );
            """),
        CatalogueMigration(
            "v3: serial vault, device inventory, device sessions",
            """
            CREATE TABLE serial_requests (
                request_id TEXT PRIMARY KEY,
                issued_at {INT} NOT NULL,
                device_key_id TEXT,
                first_posted_at {INT},
                issued_serial TEXT
            );
            CREATE INDEX serial_requests_by_issue ON serial_requests(issued_at);
            CREATE TABLE serial_sequences (
                brand_id TEXT NOT NULL,
                model TEXT NOT NULL,
                last {INT} NOT NULL,
                PRIMARY KEY (brand_id, model)
            );
            CREATE TABLE devices (
                brand_id TEXT NOT NULL,
                model TEXT NOT NULL,
                serial TEXT NOT NULL,
                device_key_id TEXT NOT NULL,
                registered_at {INT},
                signed_by TEXT,
                first_seen {INT} NOT NULL,
                last_seen {INT} NOT NULL,
                last_session {INT},
                PRIMARY KEY (brand_id, model, serial)
            );
            CREATE INDEX devices_by_key ON devices(device_key_id);
            CREATE INDEX devices_by_last_seen ON devices(last_seen);
            CREATE TABLE device_sessions (
                token_hash TEXT PRIMARY KEY,
                brand_id TEXT NOT NULL,
                model TEXT NOT NULL,
                serial TEXT NOT NULL,
                opened_at {INT} NOT NULL,
                FOREIGN KEY (brand_id, model, serial) REFERENCES devices(brand_id, model, serial)
            );
            """),
        // Nothing ever read or wrote settings: the table goes rather than waiting for a use.
        CatalogueMigration("v4: drop the unused settings table", "DROP TABLE settings"),
        CatalogueMigration(
            "v5: what devices report: installed snaps and their events",
            """
            CREATE TABLE device_snaps (
                serial_key TEXT NOT NULL,
                snap_id TEXT NOT NULL,
                revision {INT} NOT NULL,
                channel TEXT NOT NULL,
                refreshed_date TEXT,
                reported_at {INT} NOT NULL,
                pending_revision {INT},
                PRIMARY KEY (serial_key, snap_id)
            );
            CREATE TABLE device_events (
                id {ID},
                serial_key TEXT NOT NULL,
                snap_id TEXT NOT NULL,
                revision {INT} NOT NULL,
                kind TEXT NOT NULL,
                at {INT} NOT NULL,
                detail TEXT
            );
            CREATE INDEX device_events_by_device ON device_events(serial_key, id);
            """),
        CatalogueMigration(
            "v6: device tags and groups, targeted and health-gated rollouts",
            """
            CREATE TABLE device_tags (
                serial_key TEXT NOT NULL,
                tag TEXT NOT NULL,
                PRIMARY KEY (serial_key, tag)
            );
            CREATE INDEX device_tags_by_tag ON device_tags(tag);
            CREATE INDEX device_events_by_revision ON device_events(snap_id, revision, id);
            ALTER TABLE releases ADD COLUMN target_group TEXT;
            ALTER TABLE releases ADD COLUMN gate_percent {REAL};
            ALTER TABLE releases ADD COLUMN gate_count {INT};
            ALTER TABLE releases ADD COLUMN gate_min_attempts {INT};
            ALTER TABLE releases ADD COLUMN events_after {INT};
            ALTER TABLE releases ADD COLUMN halt_reason TEXT;
            ALTER TABLE releases ADD COLUMN halt_failures {INT};
            ALTER TABLE releases ADD COLUMN halt_attempts {INT};
            ALTER TABLE releases ADD COLUMN halted_at {INT};
            ALTER TABLE release_history ADD COLUMN target_group TEXT;
            ALTER TABLE release_history ADD COLUMN detail TEXT;
            CREATE TABLE device_groups (
                name TEXT PRIMARY KEY,
                brand_id TEXT NOT NULL,
                model TEXT,
                tag TEXT,
                serials TEXT
            );
            """),
        CatalogueMigration(
            "v7: injected faults",
            """
            CREATE TABLE faults (
                id {ID},
                description TEXT NOT NULL,
                fired {INT} NOT NULL DEFAULT 0
            );
            """),
        CatalogueMigration("v8: tokens expire", "ALTER TABLE tokens ADD COLUMN expires_at {INT}"),
        CatalogueMigration(
            "v9: a device's sessions found by the device, to keep only its newest",
            """
            CREATE INDEX device_sessions_by_device ON device_sessions (brand_id, model, serial, opened_at)
            """),
        CatalogueMigration(
            "v10: each brand's serial vault policy",
            """
            CREATE TABLE vault_policies (
                brand_id TEXT PRIMARY KEY,
                mode TEXT NOT NULL,
                api_key_hash TEXT,
                serial_patterns TEXT NOT NULL DEFAULT ''
            );
            """),
        CatalogueMigration(
            "v11: deltas between revisions",
            """
            CREATE TABLE deltas (
                snap_id TEXT NOT NULL,
                source {INT} NOT NULL,
                target {INT} NOT NULL,
                format TEXT NOT NULL,
                sha3_384 TEXT,
                size {INT} NOT NULL,
                created_at {INT} NOT NULL,
                PRIMARY KEY (snap_id, source, target, format),
                FOREIGN KEY (snap_id, source) REFERENCES revisions(snap_id, revision),
                FOREIGN KEY (snap_id, target) REFERENCES revisions(snap_id, revision)
            );
            """),
        // SQLite orders rows it was given by `rowid`; PostgreSQL has no such column.
        CatalogueMigration(
            "v12: insertion order of releases and device sessions (PostgreSQL)",
            """
            ALTER TABLE releases ADD COLUMN id BIGINT GENERATED ALWAYS AS IDENTITY;
            ALTER TABLE device_sessions ADD COLUMN sequence BIGINT GENERATED ALWAYS AS IDENTITY
            """, only: .postgres),
        // A store alone keeps its nonces in memory; replicas share them.
        CatalogueMigration(
            "v13: device nonces that replicas share (PostgreSQL)",
            """
            CREATE TABLE device_nonces (
                nonce TEXT PRIMARY KEY,
                expires_at {INT} NOT NULL
            );
            CREATE INDEX device_nonces_by_expiry ON device_nonces(expires_at)
            """, only: .postgres),
        CatalogueMigration(
            "v14: where the shards of split fleet runs meet",
            """
            CREATE TABLE fleet_rendezvous (
                run TEXT NOT NULL,
                step {INT} NOT NULL,
                party {INT} NOT NULL,
                note TEXT NOT NULL,
                PRIMARY KEY (run, step, party)
            );
            """),
        // Replicas cannot see each other's commits the way SQLite's commit observer does: each
        // snap row carries a generation that every change of what its dossier holds bumps (a
        // trigger per table), so a replica reuses a dossier it read while the generation stands.
        // Function bodies stay on one line: statements are split at a semicolon ending a line.
        CatalogueMigration(
            "v15: a generation per snap, bumped by every change to its dossier (PostgreSQL)",
            """
            ALTER TABLE snaps ADD COLUMN generation BIGINT NOT NULL DEFAULT 0;
            CREATE FUNCTION snapdepot_snap_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.generation = OLD.generation THEN NEW.generation := OLD.generation + 1; END IF; RETURN NEW; END $$;
            CREATE TRIGGER snaps_generation BEFORE UPDATE ON snaps FOR EACH ROW EXECUTE FUNCTION snapdepot_snap_changed();
            CREATE FUNCTION snapdepot_snap_part_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP = 'DELETE' THEN UPDATE snaps SET generation = generation + 1 WHERE snap_id = OLD.snap_id; ELSE UPDATE snaps SET generation = generation + 1 WHERE snap_id = NEW.snap_id OR (TG_OP = 'UPDATE' AND snap_id = OLD.snap_id); END IF; RETURN NULL; END $$;
            CREATE TRIGGER revisions_generation AFTER INSERT OR UPDATE OR DELETE ON revisions FOR EACH ROW EXECUTE FUNCTION snapdepot_snap_part_changed();
            CREATE TRIGGER releases_generation AFTER INSERT OR UPDATE OR DELETE ON releases FOR EACH ROW EXECUTE FUNCTION snapdepot_snap_part_changed();
            CREATE TRIGGER deltas_generation AFTER INSERT OR UPDATE OR DELETE ON deltas FOR EACH ROW EXECUTE FUNCTION snapdepot_snap_part_changed();
            CREATE FUNCTION snapdepot_publisher_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE snaps SET generation = generation + 1 WHERE publisher_id = NEW.id; RETURN NULL; END $$;
            CREATE TRIGGER accounts_generation AFTER UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION snapdepot_publisher_changed()
            """, only: .postgres),
    ]

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations where migration.only ?? .sqlite == .sqlite {
            let sql = migration.sql(for: .sqlite)
            migrator.registerMigration(migration.name) { db in try db.execute(sql: sql) }
        }
        return migrator
    }
}

/// One step of the schema. Its SQL names types by token: `{INT}` (64-bit), `{REAL}`, `{BOOL}` and
/// `{FALSE}`, `{BLOB}`, and `{ID}` (an integer key the database numbers).
struct CatalogueMigration: Sendable {
    enum Engine: Sendable {
        case sqlite, postgres
    }

    let name: String
    let template: String
    /// The one engine that needs this step, when only one does.
    let only: Engine?

    init(_ name: String, _ template: String, only: Engine? = nil) {
        self.name = name
        self.template = template
        self.only = only
    }

    func sql(for engine: Engine) -> String {
        let words: [(String, String)] =
            switch engine {
            case .sqlite:
                [
                    ("{ID}", "INTEGER PRIMARY KEY AUTOINCREMENT"), ("{INT}", "INTEGER"), ("{REAL}", "REAL"),
                    ("{BOOL}", "INTEGER"), ("{FALSE}", "0"), ("{BLOB}", "BLOB"),
                ]
            case .postgres:
                [
                    ("{ID}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"), ("{INT}", "BIGINT"),
                    ("{REAL}", "DOUBLE PRECISION"), ("{BOOL}", "BOOLEAN"), ("{FALSE}", "FALSE"), ("{BLOB}", "BYTEA"),
                ]
            }
        return words.reduce(template) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }
}
