import Assertions
import GRDB
import StoreCore

extension SQLiteCatalogue {
    public func addSerialRequestID(_ requestID: String, issuedAt: Int64, expiredBefore: Int64) async throws {
        try await writer.write { db in
            try db.execute(
                sql: "DELETE FROM serial_requests WHERE issued_serial IS NULL AND issued_at < ?",
                arguments: [expiredBefore])
            try db.execute(
                sql: "INSERT INTO serial_requests (request_id, issued_at) VALUES (?, ?)",
                arguments: [requestID, issuedAt])
        }
    }

    public func serialRequest(id: String) async throws -> SerialRequestRecord? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM serial_requests WHERE request_id = ?", arguments: [id]).map {
                SerialRequestRecord(
                    requestID: $0["request_id"], issuedAt: $0["issued_at"], deviceKeyID: $0["device_key_id"],
                    firstPostedAt: $0["first_posted_at"], issuedSerial: $0["issued_serial"])
            }
        }
    }

    public func markSerialRequestPending(id: String, deviceKeyID: String, at time: Int64) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    UPDATE serial_requests SET device_key_id = ?, first_posted_at = ?
                    WHERE request_id = ? AND device_key_id IS NULL
                    """,
                arguments: [deviceKeyID, time, id])
        }
    }

    public func allocateSerialNumber(brandID: String, model: String) async throws -> Int {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO serial_sequences (brand_id, model, last) VALUES (?, ?, 1)
                    ON CONFLICT (brand_id, model) DO UPDATE SET last = last + 1
                    """,
                arguments: [brandID, model])
            return try Int.fetchOne(
                db, sql: "SELECT last FROM serial_sequences WHERE brand_id = ? AND model = ?",
                arguments: [brandID, model]) ?? 1
        }
    }

    public func registerDevice(_ device: DeviceRecord, serial: Assertion, requestID: String) async throws {
        try await writer.write { db in
            // Checked again inside the write: two posts of one request must not both get a serial.
            let spent = try String.fetchOne(
                db, sql: "SELECT issued_serial FROM serial_requests WHERE request_id = ?", arguments: [requestID])
            if let spent {
                throw StoreError(.conflict, "request-id \"\(requestID)\" was already used for serial \(spent)")
            }
            if let taken = try Self.device(in: db, where: "device_key_id = ?", [device.deviceKeyID]) {
                throw StoreError(
                    .conflict, "device key \(device.deviceKeyID) is already registered for serial \(taken.serialKey)")
            }
            if try Self.device(
                in: db, where: "brand_id = ? AND model = ? AND serial = ?",
                [device.brandID, device.model, device.serial])
                != nil
            {
                throw StoreError(.conflict, "serial \(device.serialKey) is already taken by another device")
            }
            try db.execute(
                sql: """
                    INSERT INTO devices (brand_id, model, serial, device_key_id, registered_at, signed_by,
                        first_seen, last_seen, last_session)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    device.brandID, device.model, device.serial, device.deviceKeyID, device.registeredAt,
                    device.signedBy, device.firstSeen, device.lastSeen, device.lastSession,
                ])
            try db.execute(
                sql: "UPDATE serial_requests SET issued_serial = ? WHERE request_id = ?",
                arguments: [device.serialKey, requestID])
            try Self.put([serial], in: db)
        }
    }

    public func device(brandID: String, model: String, serial: String) async throws -> DeviceRecord? {
        try await writer.read { db in
            try Self.device(in: db, where: "brand_id = ? AND model = ? AND serial = ?", [brandID, model, serial])
        }
    }

    public func device(keyID: String) async throws -> DeviceRecord? {
        try await writer.read { db in try Self.device(in: db, where: "device_key_id = ?", [keyID]) }
    }

    public func devices(_ filter: DeviceFilter) async throws -> [DeviceRecord] {
        let (condition, values) = Self.condition(filter)
        let arguments = StatementArguments(values)
        let sql = "SELECT \(Self.deviceColumns) FROM devices \(condition) ORDER BY brand_id, model, first_seen, serial"
        return try await writer.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.device) }
    }

    public func devicePage(_ filter: DeviceFilter, offset: Int, limit: Int) async throws -> InventoryPage {
        let (condition, values) = Self.condition(filter)
        let arguments = StatementArguments(values)
        // Newest seen first through `devices_by_last_seen`: a page costs its rows, not the inventory.
        let sql = """
            SELECT \(Self.deviceColumns) FROM devices \(condition)
            ORDER BY last_seen DESC, brand_id, model, serial LIMIT ? OFFSET ?
            """
        let paged = StatementArguments(values + [limit.databaseValue, offset.databaseValue])
        return try await writer.read { db in
            InventoryPage(
                devices: try Row.fetchAll(db, sql: sql, arguments: paged).map(Self.device),
                total: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM devices \(condition)", arguments: arguments) ?? 0
            )
        }
    }

    /// The `WHERE` of a device filter, and its arguments.
    static func condition(_ filter: DeviceFilter) -> (String, [DatabaseValue]) {
        var conditions: [String] = []
        var arguments: [DatabaseValue] = []
        for (column, value) in [("brand_id", filter.brandID), ("model", filter.model), ("serial", filter.serial)] {
            if let value {
                conditions.append("\(column) = ?")
                arguments.append(value.databaseValue)
            }
        }
        if let seenSince = filter.seenSince {
            conditions.append("last_seen >= ?")
            arguments.append(seenSince.databaseValue)
        }
        if let tag = filter.tag {
            conditions.append(
                "EXISTS (SELECT 1 FROM device_tags WHERE device_tags.serial_key = \(Self.serialKeySQL) AND tag = ?)")
            arguments.append(tag.databaseValue)
        }
        if let seenBefore = filter.seenBefore {
            conditions.append("last_seen < ?")
            arguments.append(seenBefore.databaseValue)
        }
        if filter.failing {
            conditions.append(
                "(SELECT kind FROM device_events WHERE device_events.serial_key = \(Self.serialKeySQL) "
                    + "AND kind IN ('failed', 'refreshed', 'installed', 'reverted') ORDER BY id DESC LIMIT 1) = 'failed'"
            )
        }
        if let installed = filter.installed {
            conditions.append(
                "EXISTS (SELECT 1 FROM device_snaps WHERE device_snaps.serial_key = \(Self.serialKeySQL) "
                    + "AND snap_id = ? AND revision = ?)")
            arguments += [installed.snapID.databaseValue, installed.revision.databaseValue]
        }
        return (conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND "), arguments)
    }

    public func deviceCounts() async throws -> [DeviceCount] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT brand_id, model, COUNT(*) AS n FROM devices GROUP BY brand_id, model ORDER BY 1, 2"
            ).map { DeviceCount(brandID: $0["brand_id"], model: $0["model"], count: $0["n"]) }
        }
    }

    public func installedCounts() async throws -> [InstalledCount] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT snap_id, revision, COUNT(*) AS n FROM device_snaps GROUP BY snap_id, revision ORDER BY 1, 2"
            ).map { InstalledCount(snapID: $0["snap_id"], revision: $0["revision"], count: $0["n"]) }
        }
    }

    public func addDeviceSession(tokenHash: String, device: DeviceRecord, at time: Int64) async throws {
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO devices (brand_id, model, serial, device_key_id, first_seen, last_seen, last_session)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (brand_id, model, serial) DO UPDATE SET last_seen = excluded.last_seen,
                        last_session = excluded.last_session
                    """,
                arguments: [device.brandID, device.model, device.serial, device.deviceKeyID, time, time, time])
            try db.execute(
                sql: """
                    INSERT INTO device_sessions (token_hash, brand_id, model, serial, opened_at)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [tokenHash, device.brandID, device.model, device.serial, time])
            // snapd holds one session and opens another when told to: older ones go, so the table
            // grows with the devices, not with their sessions (the newest two stay, for a device
            // whose requests cross its own renewal).
            try db.execute(
                sql: """
                    DELETE FROM device_sessions WHERE brand_id = ? AND model = ? AND serial = ? AND token_hash NOT IN (
                        SELECT token_hash FROM device_sessions WHERE brand_id = ? AND model = ? AND serial = ?
                        ORDER BY opened_at DESC, rowid DESC LIMIT 2)
                    """,
                arguments: [
                    device.brandID, device.model, device.serial, device.brandID, device.model, device.serial,
                ])
        }
    }

    public func deviceSession(tokenHash: String) async throws -> (serialKey: String, openedAt: Int64)? {
        try await writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT brand_id, model, serial, opened_at FROM device_sessions WHERE token_hash = ?",
                arguments: [tokenHash]
            ).map { row in
                let brand: String = row["brand_id"]
                let model: String = row["model"]
                let serial: String = row["serial"]
                return ("\(brand)/\(model)/\(serial)", row["opened_at"])
            }
        }
    }

    public func deviceSessions(serialKey: String) async throws -> [Int64] {
        guard let parts = DeviceKeyColumns.of(serialKey) else { return [] }
        return try await writer.read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT opened_at FROM device_sessions WHERE brand_id = ? AND model = ? AND serial = ?
                    ORDER BY opened_at
                    """, arguments: [parts[0], parts[1], parts[2]])
        }
    }

    public func deleteDeviceSessions(serialKey: String) async throws -> Int {
        guard let parts = DeviceKeyColumns.of(serialKey) else { return 0 }
        return try await writer.write { db in
            try db.execute(
                sql: "DELETE FROM device_sessions WHERE brand_id = ? AND model = ? AND serial = ?",
                arguments: [parts[0], parts[1], parts[2]])
            return db.changesCount
        }
    }

    public func markDeviceSeen(serialKey: String, at time: Int64) async throws {
        guard let parts = DeviceKeyColumns.of(serialKey) else { return }
        try await writer.write { db in
            try db.execute(
                sql: "UPDATE devices SET last_seen = MAX(last_seen, ?) WHERE brand_id = ? AND model = ? AND serial = ?",
                arguments: [time, parts[0], parts[1], parts[2]])
        }
    }

    public func vaultPolicy(brandID: String) async throws -> VaultPolicy? {
        try await writer.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM vault_policies WHERE brand_id = ?", arguments: [brandID])
                .map(Self.vaultPolicy)
        }
    }

    public func vaultPolicies() async throws -> [VaultPolicy] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM vault_policies ORDER BY brand_id").map(Self.vaultPolicy)
        }
    }

    public func saveVaultPolicy(_ policy: VaultPolicy) async throws {
        try await writer.write { db in
            // One pattern per line: the store refuses patterns with line breaks.
            try db.execute(
                sql: """
                    INSERT INTO vault_policies (brand_id, mode, api_key_hash, serial_patterns) VALUES (?, ?, ?, ?)
                    ON CONFLICT (brand_id) DO UPDATE SET mode = excluded.mode, api_key_hash = excluded.api_key_hash,
                        serial_patterns = excluded.serial_patterns
                    """,
                arguments: [
                    policy.brandID, policy.mode.rawValue, policy.apiKeyHash,
                    policy.serialPatterns.joined(separator: "\n"),
                ])
        }
    }

    static func vaultPolicy(_ row: Row) -> VaultPolicy {
        let patterns: String = row["serial_patterns"]
        return VaultPolicy(
            brandID: row["brand_id"],
            // A mode this version does not know signs for nobody rather than for everybody.
            mode: VaultPolicy.Mode(rawValue: row["mode"]) ?? .serials, apiKeyHash: row["api_key_hash"],
            serialPatterns: patterns.split(separator: "\n").map(String.init))
    }

    static func device(in db: Database, where condition: String, _ arguments: StatementArguments) throws
        -> DeviceRecord?
    {
        try Row.fetchOne(db, sql: "SELECT \(deviceColumns) FROM devices WHERE \(condition)", arguments: arguments)
            .map(device)
    }

    /// A device's serial key, as the tables keyed by it hold it.
    static let serialKeySQL = "devices.brand_id || '/' || devices.model || '/' || devices.serial"
    /// Every column of `devices`, and the device's tags joined by newlines.
    static let deviceColumns = """
        devices.*, (SELECT group_concat(tag, char(10)) FROM (SELECT tag FROM device_tags
            WHERE device_tags.serial_key = \(serialKeySQL) ORDER BY tag)) AS tags
        """

    static func device(_ row: Row) -> DeviceRecord {
        let tags: String? = row["tags"]
        return DeviceRecord(
            brandID: row["brand_id"], model: row["model"], serial: row["serial"], deviceKeyID: row["device_key_id"],
            registeredAt: row["registered_at"], signedBy: row["signed_by"], firstSeen: row["first_seen"],
            lastSeen: row["last_seen"], lastSession: row["last_session"],
            tags: tags.map { $0.split(separator: "\n").map(String.init) } ?? [])
    }

    public func tagDevices(_ serialKeys: [String], add: [String], remove: [String]) async throws {
        try await writer.write { db in
            for key in serialKeys {
                for tag in add {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO device_tags (serial_key, tag) VALUES (?, ?)", arguments: [key, tag])
                }
                for tag in remove {
                    try db.execute(
                        sql: "DELETE FROM device_tags WHERE serial_key = ? AND tag = ?", arguments: [key, tag])
                }
            }
        }
    }

    public func saveGroup(_ group: DeviceGroup) async throws {
        // One serial per line: serials hold no line breaks (the vault refuses them).
        let serials = group.serials?.joined(separator: "\n")
        try await writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO device_groups (name, brand_id, model, tag, serials) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET brand_id = excluded.brand_id, model = excluded.model,
                        tag = excluded.tag, serials = excluded.serials
                    """, arguments: [group.name, group.brandID, group.model, group.tag, serials])
        }
    }

    public func groups() async throws -> [DeviceGroup] {
        try await writer.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM device_groups ORDER BY name").map { row in
                let serials: String? = row["serials"]
                return DeviceGroup(
                    name: row["name"], brandID: row["brand_id"], model: row["model"], tag: row["tag"],
                    serials: serials.map { $0.split(separator: "\n").map(String.init) })
            }
        }
    }

    public func deleteGroup(named name: String) async throws {
        try await writer.write { db in
            try db.execute(sql: "DELETE FROM device_groups WHERE name = ?", arguments: [name])
        }
    }
}
