import GRDB

/// The catalogue's tables, as named, ordered migrations (recorded by GRDB in `grdb_migrations`).
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: accounts, snaps, revisions, channel maps, assertions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE settings (
                        name TEXT PRIMARY KEY,
                        value TEXT NOT NULL
                    );
                    CREATE TABLE accounts (
                        id TEXT PRIMARY KEY,
                        username TEXT NOT NULL UNIQUE,
                        display_name TEXT NOT NULL,
                        validation TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE TABLE tokens (
                        hash TEXT PRIMARY KEY,
                        account_id TEXT REFERENCES accounts(id),
                        role TEXT NOT NULL CHECK (role IN ('admin', 'publisher')),
                        description TEXT NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    CREATE TABLE snaps (
                        snap_id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        publisher_id TEXT NOT NULL REFERENCES accounts(id),
                        store TEXT NOT NULL DEFAULT '',
                        private INTEGER NOT NULL DEFAULT 0,
                        default_track TEXT NOT NULL DEFAULT 'latest',
                        tracks TEXT NOT NULL DEFAULT '["latest"]',
                        created_at INTEGER NOT NULL,
                        UNIQUE (name, store)
                    );
                    CREATE TABLE revisions (
                        snap_id TEXT NOT NULL REFERENCES snaps(snap_id),
                        revision INTEGER NOT NULL CHECK (revision >= 1),
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
                        size INTEGER NOT NULL,
                        snap_yaml TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (snap_id, revision)
                    );
                    CREATE INDEX revisions_by_digest ON revisions(sha3_384);
                    CREATE TABLE releases (
                        snap_id TEXT NOT NULL REFERENCES snaps(snap_id),
                        track TEXT NOT NULL,
                        risk TEXT NOT NULL,
                        branch TEXT NOT NULL,
                        architecture TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        progressive REAL,
                        paused INTEGER NOT NULL DEFAULT 0,
                        expires_at INTEGER,
                        released_at INTEGER NOT NULL,
                        FOREIGN KEY (snap_id, revision) REFERENCES revisions(snap_id, revision)
                    );
                    CREATE INDEX releases_by_snap ON releases(snap_id);
                    CREATE TABLE release_history (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        snap_id TEXT NOT NULL REFERENCES snaps(snap_id),
                        channel TEXT NOT NULL,
                        architectures TEXT NOT NULL,
                        revision INTEGER,
                        action TEXT NOT NULL,
                        percentage REAL,
                        account_id TEXT,
                        at INTEGER NOT NULL
                    );
                    CREATE INDEX release_history_by_snap ON release_history(snap_id);
                    CREATE TABLE assertions (
                        type TEXT NOT NULL,
                        key TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        encoded BLOB NOT NULL,
                        added_at INTEGER NOT NULL,
                        PRIMARY KEY (type, key)
                    );
                    """)
        }
        migrator.registerMigration("v2: publisher sessions, emails, snap metadata") { db in
            try db.execute(
                sql: """
                    ALTER TABLE accounts ADD COLUMN email TEXT;
                    CREATE UNIQUE INDEX accounts_by_email ON accounts(email) WHERE email IS NOT NULL;
                    ALTER TABLE snaps ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
                    CREATE TABLE publisher_sessions (
                        id TEXT PRIMARY KEY,
                        caveat_id TEXT NOT NULL UNIQUE,
                        caveat_key BLOB NOT NULL,
                        account_id TEXT REFERENCES accounts(id),
                        permissions TEXT NOT NULL,
                        description TEXT NOT NULL,
                        expires_at INTEGER NOT NULL,
                        created_at INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v3: serial vault, device inventory, device sessions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE serial_requests (
                        request_id TEXT PRIMARY KEY,
                        issued_at INTEGER NOT NULL,
                        device_key_id TEXT,
                        first_posted_at INTEGER,
                        issued_serial TEXT
                    );
                    CREATE INDEX serial_requests_by_issue ON serial_requests(issued_at);
                    CREATE TABLE serial_sequences (
                        brand_id TEXT NOT NULL,
                        model TEXT NOT NULL,
                        last INTEGER NOT NULL,
                        PRIMARY KEY (brand_id, model)
                    );
                    CREATE TABLE devices (
                        brand_id TEXT NOT NULL,
                        model TEXT NOT NULL,
                        serial TEXT NOT NULL,
                        device_key_id TEXT NOT NULL,
                        registered_at INTEGER,
                        signed_by TEXT,
                        first_seen INTEGER NOT NULL,
                        last_seen INTEGER NOT NULL,
                        last_session INTEGER,
                        PRIMARY KEY (brand_id, model, serial)
                    );
                    CREATE INDEX devices_by_key ON devices(device_key_id);
                    CREATE INDEX devices_by_last_seen ON devices(last_seen);
                    CREATE TABLE device_sessions (
                        token_hash TEXT PRIMARY KEY,
                        brand_id TEXT NOT NULL,
                        model TEXT NOT NULL,
                        serial TEXT NOT NULL,
                        opened_at INTEGER NOT NULL,
                        FOREIGN KEY (brand_id, model, serial) REFERENCES devices(brand_id, model, serial)
                    );
                    """)
        }
        // Nothing ever read or wrote settings: the table goes rather than waiting for a use.
        migrator.registerMigration("v4: drop the unused settings table") { db in
            try db.execute(sql: "DROP TABLE settings")
        }
        migrator.registerMigration("v5: what devices report: installed snaps and their events") { db in
            try db.execute(
                sql: """
                    CREATE TABLE device_snaps (
                        serial_key TEXT NOT NULL,
                        snap_id TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        channel TEXT NOT NULL,
                        refreshed_date TEXT,
                        reported_at INTEGER NOT NULL,
                        pending_revision INTEGER,
                        PRIMARY KEY (serial_key, snap_id)
                    );
                    CREATE TABLE device_events (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        serial_key TEXT NOT NULL,
                        snap_id TEXT NOT NULL,
                        revision INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        at INTEGER NOT NULL,
                        detail TEXT
                    );
                    CREATE INDEX device_events_by_device ON device_events(serial_key, id);
                    """)
        }
        migrator.registerMigration("v6: device tags and groups, targeted and health-gated rollouts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE device_tags (
                        serial_key TEXT NOT NULL,
                        tag TEXT NOT NULL,
                        PRIMARY KEY (serial_key, tag)
                    );
                    CREATE INDEX device_tags_by_tag ON device_tags(tag);
                    CREATE INDEX device_events_by_revision ON device_events(snap_id, revision, id);
                    ALTER TABLE releases ADD COLUMN target_group TEXT;
                    ALTER TABLE releases ADD COLUMN gate_percent REAL;
                    ALTER TABLE releases ADD COLUMN gate_count INTEGER;
                    ALTER TABLE releases ADD COLUMN gate_min_attempts INTEGER;
                    ALTER TABLE releases ADD COLUMN events_after INTEGER;
                    ALTER TABLE releases ADD COLUMN halt_reason TEXT;
                    ALTER TABLE releases ADD COLUMN halt_failures INTEGER;
                    ALTER TABLE releases ADD COLUMN halt_attempts INTEGER;
                    ALTER TABLE releases ADD COLUMN halted_at INTEGER;
                    ALTER TABLE release_history ADD COLUMN target_group TEXT;
                    ALTER TABLE release_history ADD COLUMN detail TEXT;
                    CREATE TABLE device_groups (
                        name TEXT PRIMARY KEY,
                        brand_id TEXT NOT NULL,
                        model TEXT,
                        tag TEXT,
                        serials TEXT
                    );
                    """)
        }
        migrator.registerMigration("v7: injected faults") { db in
            try db.execute(
                sql: """
                    CREATE TABLE faults (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        description TEXT NOT NULL,
                        fired INTEGER NOT NULL DEFAULT 0
                    );
                    """)
        }
        migrator.registerMigration("v8: tokens expire") { db in
            try db.execute(sql: "ALTER TABLE tokens ADD COLUMN expires_at INTEGER")
        }
        migrator.registerMigration("v9: a device's sessions found by the device, to keep only its newest") { db in
            try db.execute(
                sql: "CREATE INDEX device_sessions_by_device ON device_sessions (brand_id, model, serial, opened_at)")
        }
        migrator.registerMigration("v10: each brand's serial vault policy") { db in
            try db.execute(
                sql: """
                    CREATE TABLE vault_policies (
                        brand_id TEXT PRIMARY KEY,
                        mode TEXT NOT NULL,
                        api_key_hash TEXT,
                        serial_patterns TEXT NOT NULL DEFAULT ''
                    );
                    """)
        }
        migrator.registerMigration("v11: deltas between revisions") { db in
            try db.execute(
                sql: """
                    CREATE TABLE deltas (
                        snap_id TEXT NOT NULL,
                        source INTEGER NOT NULL,
                        target INTEGER NOT NULL,
                        format TEXT NOT NULL,
                        sha3_384 TEXT,
                        size INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (snap_id, source, target, format),
                        FOREIGN KEY (snap_id, source) REFERENCES revisions(snap_id, revision),
                        FOREIGN KEY (snap_id, target) REFERENCES revisions(snap_id, revision)
                    );
                    """)
        }
        return migrator
    }
}
