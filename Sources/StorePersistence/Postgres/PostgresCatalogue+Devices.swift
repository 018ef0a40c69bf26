import Assertions
import PostgresNIO
import StoreCore

extension PostgresCatalogue {
    public func addSerialRequestID(_ requestID: String, issuedAt: Int64, expiredBefore: Int64) async throws {
        try await database.write { connection in
            try await connection.query(
                "DELETE FROM serial_requests WHERE issued_serial IS NULL AND issued_at < \(expiredBefore)",
                logger: logger)
            try await connection.query(
                "INSERT INTO serial_requests (request_id, issued_at) VALUES (\(requestID), \(issuedAt))",
                logger: logger)
        }
    }

    public func serialRequest(id: String) async throws -> SerialRequestRecord? {
        try await database.rows("SELECT * FROM serial_requests WHERE request_id = \(id)").first.map {
            let row = Columns($0)
            return SerialRequestRecord(
                requestID: try row["request_id"], issuedAt: try row["issued_at"],
                deviceKeyID: try row["device_key_id"], firstPostedAt: try row["first_posted_at"],
                issuedSerial: try row["issued_serial"])
        }
    }

    public func markSerialRequestPending(id: String, deviceKeyID: String, at time: Int64) async throws {
        try await database.write { connection in
            try await connection.query(
                """
                UPDATE serial_requests SET device_key_id = \(deviceKeyID), first_posted_at = \(time)
                WHERE request_id = \(id) AND device_key_id IS NULL
                """, logger: logger)
        }
    }

    public func allocateSerialNumber(brandID: String, model: String) async throws -> Int {
        try await database.write(.readCommitted) { connection in
            try await connection.rows(
                """
                INSERT INTO serial_sequences (brand_id, model, last) VALUES (\(brandID), \(model), 1)
                ON CONFLICT (brand_id, model) DO UPDATE SET last = serial_sequences.last + 1
                RETURNING last
                """, logger: logger
            ).first?.decode(Int.self) ?? 1
        }
    }

    public func registerDevice(_ device: DeviceRecord, serial: Assertion, requestID: String) async throws {
        try await database.write { connection in
            // Checked again inside the write: two posts of one request must not both get a serial.
            let spent = try await connection.rows(
                "SELECT issued_serial FROM serial_requests WHERE request_id = \(requestID)", logger: logger
            ).first?.decode(String?.self)
            if let spent {
                throw StoreError(.conflict, "request-id \"\(requestID)\" was already used for serial \(spent)")
            }
            if let taken = try await Self.devices(
                on: connection, logger: logger,
                "WHERE device_key_id = $1", binds: [device.deviceKeyID]
            ).first {
                throw StoreError(
                    .conflict, "device key \(device.deviceKeyID) is already registered for serial \(taken.serialKey)")
            }
            if try await !Self.devices(
                on: connection, logger: logger,
                "WHERE brand_id = $1 AND model = $2 AND serial = $3",
                binds: [device.brandID, device.model, device.serial]
            ).isEmpty {
                throw StoreError(.conflict, "serial \(device.serialKey) is already taken by another device")
            }
            try await connection.query(
                """
                INSERT INTO devices (brand_id, model, serial, device_key_id, registered_at, signed_by,
                    first_seen, last_seen, last_session)
                VALUES (\(device.brandID), \(device.model), \(device.serial), \(device.deviceKeyID),
                    \(device.registeredAt), \(device.signedBy), \(device.firstSeen), \(device.lastSeen),
                    \(device.lastSession))
                """, logger: logger)
            try await connection.query(
                "UPDATE serial_requests SET issued_serial = \(device.serialKey) WHERE request_id = \(requestID)",
                logger: logger)
            try await Self.put([serial], on: connection, logger: logger)
        }
    }

    public func addNonce(_ nonce: String, expiresAt: Int64, now: Int64) async throws {
        try await database.write(.readCommitted) { connection in
            try await connection.query("DELETE FROM device_nonces WHERE expires_at <= \(now)", logger: logger)
            try await connection.query(
                "INSERT INTO device_nonces (nonce, expires_at) VALUES (\(nonce), \(expiresAt))", logger: logger)
        }
    }

    public func consumeNonce(_ nonce: String, now: Int64) async throws -> Bool {
        // One statement: of two replicas consuming the same nonce at once, one deletes the row.
        try await database.write(.readCommitted) { connection in
            try await connection.rows(
                "DELETE FROM device_nonces WHERE nonce = \(nonce) RETURNING expires_at", logger: logger
            ).first?.decode(Int64.self)
        }.map { $0 > now } ?? false
    }

    public func device(brandID: String, model: String, serial: String) async throws -> DeviceRecord? {
        var filter = DeviceFilter()
        filter.brandID = brandID
        filter.model = model
        filter.serial = serial
        return try await devices(filter).first
    }

    public func device(keyID: String) async throws -> DeviceRecord? {
        try await database.read { connection in
            try await Self.devices(
                on: connection, logger: logger, "WHERE device_key_id = $1",
                binds: [keyID]
            ).first
        }
    }

    public func devices(_ filter: DeviceFilter) async throws -> [DeviceRecord] {
        let (condition, binds) = Self.condition(filter)
        return try await database.read { connection in
            try await Self.devices(
                on: connection, logger: logger,
                "\(condition) ORDER BY brand_id, model, first_seen, serial", binds: binds)
        }
    }

    public func devicePage(_ filter: DeviceFilter, offset: Int, limit: Int) async throws -> InventoryPage {
        let (condition, binds) = Self.condition(filter)
        return try await database.read { connection in
            // Newest seen first through `devices_by_last_seen`: a page costs its rows, not the inventory.
            let page = try await Self.devices(
                on: connection, logger: logger,
                """
                \(condition) ORDER BY last_seen DESC, brand_id, model, serial
                LIMIT \(max(0, limit)) OFFSET \(max(0, offset))
                """, binds: binds)
            let total = try await connection.rows(
                Self.bound("SELECT COUNT(*) FROM devices \(condition)", binds), logger: logger
            ).first?.decode(Int.self)
            return InventoryPage(devices: page, total: total ?? 0)
        }
    }

    /// The `WHERE` of a device filter, with `$n` placeholders, and the values they stand for.
    static func condition(_ filter: DeviceFilter) -> (String, [any PostgresDynamicTypeEncodable & Sendable]) {
        var conditions: [String] = []
        var binds: [any PostgresDynamicTypeEncodable & Sendable] = []
        func bind(_ value: any PostgresDynamicTypeEncodable & Sendable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        for (column, value) in [("brand_id", filter.brandID), ("model", filter.model), ("serial", filter.serial)] {
            if let value { conditions.append("\(column) = \(bind(value))") }
        }
        if let seenSince = filter.seenSince { conditions.append("last_seen >= \(bind(seenSince))") }
        if let tag = filter.tag {
            conditions.append(
                "EXISTS (SELECT 1 FROM device_tags WHERE device_tags.serial_key = \(serialKeySQL) AND tag = \(bind(tag)))"
            )
        }
        if let seenBefore = filter.seenBefore { conditions.append("last_seen < \(bind(seenBefore))") }
        if filter.failing {
            conditions.append(
                "(SELECT kind FROM device_events WHERE device_events.serial_key = \(serialKeySQL) "
                    + "AND kind IN ('failed', 'refreshed', 'installed', 'reverted') ORDER BY id DESC LIMIT 1) = 'failed'"
            )
        }
        if let installed = filter.installed {
            conditions.append(
                "EXISTS (SELECT 1 FROM device_snaps WHERE device_snaps.serial_key = \(serialKeySQL) "
                    + "AND snap_id = \(bind(installed.snapID)) AND revision = \(bind(installed.revision)))")
        }
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), binds)
    }

    static func bound(_ sql: String, _ values: [any PostgresDynamicTypeEncodable & Sendable]) -> PostgresQuery {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { binds.append(value) }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// Devices with their tags, under `condition` (its `WHERE`, `ORDER BY` and `LIMIT`).
    static func devices(
        on connection: PostgresConnection, logger: Logger, _ condition: String,
        binds: [any PostgresDynamicTypeEncodable & Sendable]
    ) async throws -> [DeviceRecord] {
        try await connection.rows(bound("SELECT \(deviceColumns) FROM devices \(condition)", binds), logger: logger)
            .map(Self.device)
    }

    /// A device's serial key, as the tables keyed by it hold it.
    static let serialKeySQL = "devices.brand_id || '/' || devices.model || '/' || devices.serial"
    /// Every column of `devices`, and the device's tags joined by newlines.
    static let deviceColumns = """
        devices.*, (SELECT string_agg(tag, E'\\n' ORDER BY tag) FROM device_tags
            WHERE device_tags.serial_key = \(serialKeySQL)) AS tags
        """

    static func device(_ row: PostgresRow) throws -> DeviceRecord {
        let row = Columns(row)
        let tags: String? = try row["tags"]
        return DeviceRecord(
            brandID: try row["brand_id"], model: try row["model"], serial: try row["serial"],
            deviceKeyID: try row["device_key_id"], registeredAt: try row["registered_at"],
            signedBy: try row["signed_by"], firstSeen: try row["first_seen"], lastSeen: try row["last_seen"],
            lastSession: try row["last_session"], tags: tags.map { $0.split(separator: "\n").map(String.init) } ?? [])
    }

    public func deviceCounts() async throws -> [DeviceCount] {
        try await database.rows(
            "SELECT brand_id, model, COUNT(*) AS n FROM devices GROUP BY brand_id, model ORDER BY 1, 2"
        ).map {
            let row = Columns($0)
            return DeviceCount(brandID: try row["brand_id"], model: try row["model"], count: try row["n"])
        }
    }

    public func installedCounts() async throws -> [InstalledCount] {
        try await database.rows(
            "SELECT snap_id, revision, COUNT(*) AS n FROM device_snaps GROUP BY snap_id, revision ORDER BY 1, 2"
        ).map {
            let row = Columns($0)
            return InstalledCount(snapID: try row["snap_id"], revision: try row["revision"], count: try row["n"])
        }
    }

    public func addDeviceSession(tokenHash: String, device: DeviceRecord, at time: Int64) async throws {
        try await database.write { connection in
            try await connection.query(
                """
                INSERT INTO devices (brand_id, model, serial, device_key_id, first_seen, last_seen, last_session)
                VALUES (\(device.brandID), \(device.model), \(device.serial), \(device.deviceKeyID), \(time),
                    \(time), \(time))
                ON CONFLICT (brand_id, model, serial) DO UPDATE SET last_seen = excluded.last_seen,
                    last_session = excluded.last_session
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO device_sessions (token_hash, brand_id, model, serial, opened_at)
                VALUES (\(tokenHash), \(device.brandID), \(device.model), \(device.serial), \(time))
                """, logger: logger)
            // As in SQLite: a device keeps its newest two sessions, so the table grows with the
            // devices, not with their sessions.
            try await connection.query(
                """
                DELETE FROM device_sessions WHERE brand_id = \(device.brandID) AND model = \(device.model)
                    AND serial = \(device.serial) AND token_hash NOT IN (
                    SELECT token_hash FROM device_sessions WHERE brand_id = \(device.brandID)
                        AND model = \(device.model) AND serial = \(device.serial)
                    ORDER BY opened_at DESC, sequence DESC LIMIT 2)
                """, logger: logger)
        }
    }

    public func deviceSession(tokenHash: String) async throws -> (serialKey: String, openedAt: Int64)? {
        try await database.rows(
            "SELECT brand_id, model, serial, opened_at FROM device_sessions WHERE token_hash = \(tokenHash)"
        ).first.map {
            let (brand, model, serial, openedAt) = try $0.decode((String, String, String, Int64).self)
            return ("\(brand)/\(model)/\(serial)", openedAt)
        }
    }

    public func deviceSessions(serialKey: String) async throws -> [Int64] {
        guard let parts = DeviceKeyColumns.of(serialKey) else { return [] }
        return try await database.rows(
            """
            SELECT opened_at FROM device_sessions WHERE brand_id = \(parts[0]) AND model = \(parts[1])
                AND serial = \(parts[2])
            ORDER BY opened_at, sequence
            """
        ).map { try $0.decode(Int64.self) }
    }

    public func deleteDeviceSessions(serialKey: String) async throws -> Int {
        guard let parts = DeviceKeyColumns.of(serialKey) else { return 0 }
        return try await database.write { connection in
            try await connection.rows(
                """
                DELETE FROM device_sessions WHERE brand_id = \(parts[0]) AND model = \(parts[1])
                    AND serial = \(parts[2])
                RETURNING token_hash
                """, logger: logger
            ).count
        }
    }

    public func markDeviceSeen(serialKey: String, at time: Int64) async throws {
        guard let parts = DeviceKeyColumns.of(serialKey) else { return }
        try await database.write { connection in
            try await connection.query(
                """
                UPDATE devices SET last_seen = GREATEST(last_seen, \(time))
                WHERE brand_id = \(parts[0]) AND model = \(parts[1]) AND serial = \(parts[2])
                """, logger: logger)
        }
    }

    public func vaultPolicy(brandID: String) async throws -> VaultPolicy? {
        try await database.rows("SELECT * FROM vault_policies WHERE brand_id = \(brandID)").first.map(
            Self.vaultPolicy)
    }

    public func vaultPolicies() async throws -> [VaultPolicy] {
        try await database.rows("SELECT * FROM vault_policies ORDER BY brand_id").map(Self.vaultPolicy)
    }

    public func saveVaultPolicy(_ policy: VaultPolicy) async throws {
        try await database.write { connection in
            // One pattern per line: the store refuses patterns with line breaks.
            try await connection.query(
                """
                INSERT INTO vault_policies (brand_id, mode, api_key_hash, serial_patterns)
                VALUES (\(policy.brandID), \(policy.mode.rawValue), \(policy.apiKeyHash),
                    \(policy.serialPatterns.joined(separator: "\n")))
                ON CONFLICT (brand_id) DO UPDATE SET mode = excluded.mode, api_key_hash = excluded.api_key_hash,
                    serial_patterns = excluded.serial_patterns
                """, logger: logger)
        }
    }

    static func vaultPolicy(_ row: PostgresRow) throws -> VaultPolicy {
        let row = Columns(row)
        let patterns: String = try row["serial_patterns"]
        return VaultPolicy(
            brandID: try row["brand_id"],
            // A mode this version does not know signs for nobody rather than for everybody.
            mode: VaultPolicy.Mode(rawValue: try row["mode"]) ?? .serials, apiKeyHash: try row["api_key_hash"],
            serialPatterns: patterns.split(separator: "\n").map(String.init))
    }

    public func tagDevices(_ serialKeys: [String], add: [String], remove: [String]) async throws {
        try await database.write { connection in
            for key in serialKeys {
                for tag in add {
                    try await connection.query(
                        "INSERT INTO device_tags (serial_key, tag) VALUES (\(key), \(tag)) ON CONFLICT DO NOTHING",
                        logger: logger)
                }
                for tag in remove {
                    try await connection.query(
                        "DELETE FROM device_tags WHERE serial_key = \(key) AND tag = \(tag)", logger: logger)
                }
            }
        }
    }

    public func saveGroup(_ group: DeviceGroup) async throws {
        // One serial per line: serials hold no line breaks (the vault refuses them).
        let serials = group.serials?.joined(separator: "\n")
        try await database.write { connection in
            try await connection.query(
                """
                INSERT INTO device_groups (name, brand_id, model, tag, serials)
                VALUES (\(group.name), \(group.brandID), \(group.model), \(group.tag), \(serials))
                ON CONFLICT (name) DO UPDATE SET brand_id = excluded.brand_id, model = excluded.model,
                    tag = excluded.tag, serials = excluded.serials
                """, logger: logger)
        }
    }

    public func groups() async throws -> [DeviceGroup] {
        try await database.rows("SELECT * FROM device_groups ORDER BY name").map {
            let row = Columns($0)
            let serials: String? = try row["serials"]
            return DeviceGroup(
                name: try row["name"], brandID: try row["brand_id"], model: try row["model"], tag: try row["tag"],
                serials: serials.map { $0.split(separator: "\n").map(String.init) })
        }
    }

    public func deleteGroup(named name: String) async throws {
        try await database.write { connection in
            try await connection.query("DELETE FROM device_groups WHERE name = \(name)", logger: logger)
        }
    }
}
