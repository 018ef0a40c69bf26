import Foundation
import PostgresNIO
import StoreCore

extension PostgresCatalogue {
    public func recordReport(serialKey: String, snaps: [ReportedSnap], at time: Int64) async throws {
        var held: [String: HeldSnap] = [:]
        for row in try await database.rows(
            """
            SELECT snap_id, revision, channel, refreshed_date, reported_at, pending_revision
            FROM device_snaps WHERE serial_key = \(serialKey)
            """)
        {
            let (snapID, revision, channel, refreshedDate, reportedAt, pending) = try row.decode(
                (String, Int, String, String?, Int64, Int?).self)
            held[snapID] = HeldSnap(
                revision: revision, channel: channel, refreshedDate: refreshedDate, reportedAt: reportedAt,
                pendingRevision: pending)
        }
        if ReportEvents.changesNothing(snaps, held: held, at: time) { return }
        try await database.write { connection in
            for snap in snaps {
                let stored = try await connection.rows(
                    """
                    SELECT revision, pending_revision FROM device_snaps
                    WHERE serial_key = \(serialKey) AND snap_id = \(snap.snapID)
                    """, logger: logger
                ).first?.decode((Int, Int?).self)
                let events = ReportEvents.implied(
                    by: snap, heldRevision: stored?.0, pendingRevision: stored?.1)
                try await connection.query(
                    """
                    INSERT INTO device_snaps (serial_key, snap_id, revision, channel, refreshed_date, reported_at,
                        pending_revision)
                    VALUES (\(serialKey), \(snap.snapID), \(snap.revision), \(snap.channel), \(snap.refreshedDate),
                        \(time), NULL)
                    ON CONFLICT (serial_key, snap_id) DO UPDATE SET revision = excluded.revision,
                        channel = excluded.channel, refreshed_date = excluded.refreshed_date,
                        reported_at = excluded.reported_at, pending_revision = NULL
                    """, logger: logger)
                for event in events {
                    try await Self.addEvent(
                        connection, logger, serialKey, snap.snapID, event.revision, event.kind, time, event.detail)
                }
            }
            // The report is the whole installed set: what it no longer names was removed.
            let reported = Set(snaps.map(\.snapID))
            let held = try await connection.rows(
                "SELECT snap_id, revision FROM device_snaps WHERE serial_key = \(serialKey)", logger: logger
            ).map { try $0.decode((String, Int).self) }
            for (snapID, revision) in held where !reported.contains(snapID) {
                try await connection.query(
                    "DELETE FROM device_snaps WHERE serial_key = \(serialKey) AND snap_id = \(snapID)", logger: logger)
                try await Self.addEvent(connection, logger, serialKey, snapID, revision, .removed, time, nil)
            }
        }
    }

    public func recordDownload(serialKey: String, snapID: String, revision: Int, at time: Int64) async throws {
        try await database.write { connection in
            let pending = try await connection.rows(
                "SELECT pending_revision FROM device_snaps WHERE serial_key = \(serialKey) AND snap_id = \(snapID)",
                logger: logger
            ).first?.decode(Int?.self)
            // A resumed or repeated download of the same revision is one download.
            guard pending != revision else { return }
            try await connection.query(
                """
                UPDATE device_snaps SET pending_revision = \(revision)
                WHERE serial_key = \(serialKey) AND snap_id = \(snapID)
                """, logger: logger)
            try await Self.addEvent(connection, logger, serialKey, snapID, revision, .downloaded, time, nil)
        }
    }

    public func lastDeviceEventID() async throws -> Int64 {
        try await database.rows("SELECT MAX(id) FROM device_events").first?.decode(Int64?.self) ?? 0
    }

    public func rolloutOutcome(snapID: String, revision: Int, eventsAfter: Int64) async throws -> (
        attempts: Int, failures: Int
    ) {
        try await database.rows(
            """
            SELECT COUNT(DISTINCT serial_key), COUNT(DISTINCT CASE WHEN kind = 'failed' THEN serial_key END)
            FROM device_events WHERE snap_id = \(snapID) AND revision = \(revision) AND id > \(eventsAfter)
                AND kind IN ('downloaded', 'installed', 'refreshed', 'failed')
            """
        ).first?.decode((Int, Int).self) ?? (0, 0)
    }

    public func recordEvent(serialKey: String, _ event: DeviceSnapEvent) async throws {
        try await database.write { connection in
            try await Self.addEvent(
                connection, logger, serialKey, event.snapID, event.revision, event.kind, event.at, event.detail)
        }
    }

    public func installedSnaps(serialKey: String) async throws -> [InstalledSnapRecord] {
        try await database.rows(
            """
            SELECT device_snaps.*, snaps.name FROM device_snaps
            LEFT JOIN snaps ON snaps.snap_id = device_snaps.snap_id
            WHERE serial_key = \(serialKey) ORDER BY snaps.name, device_snaps.snap_id
            """
        ).map {
            let row = Columns($0)
            return InstalledSnapRecord(
                snapID: try row["snap_id"], name: try row["name"], revision: try row["revision"],
                channel: try row["channel"], refreshedDate: try row["refreshed_date"],
                reportedAt: try row["reported_at"])
        }
    }

    public func deviceEvents(serialKey: String) async throws -> [DeviceSnapEvent] {
        try await database.rows("SELECT * FROM device_events WHERE serial_key = \(serialKey) ORDER BY id")
            .compactMap {
                let row = Columns($0)
                guard let kind = DeviceSnapEvent.Kind(rawValue: try row["kind"]) else { return nil }
                return DeviceSnapEvent(
                    snapID: try row["snap_id"], revision: try row["revision"], kind: kind, at: try row["at"],
                    detail: try row["detail"])
            }
    }

    static func addEvent(
        _ connection: PostgresConnection, _ logger: Logger, _ serialKey: String, _ snapID: String, _ revision: Int,
        _ kind: DeviceSnapEvent.Kind, _ time: Int64, _ detail: String?
    ) async throws {
        try await connection.query(
            """
            INSERT INTO device_events (serial_key, snap_id, revision, kind, at, detail)
            VALUES (\(serialKey), \(snapID), \(revision), \(kind.rawValue), \(time), \(detail))
            """, logger: logger)
    }

    // MARK: Faults, kept whole as JSON as in SQLite

    public func addFault(_ fault: Fault) async throws -> Fault {
        let description = String(decoding: try JSONEncoder().encode(fault), as: UTF8.self)
        return try await database.write { connection in
            var stored = fault
            stored.id =
                try await connection.rows(
                    "INSERT INTO faults (description) VALUES (\(description)) RETURNING id", logger: logger
                ).first?.decode(Int.self) ?? 0
            return stored
        }
    }

    public func faults() async throws -> [Fault] {
        try await database.rows("SELECT id, description, fired FROM faults ORDER BY id").map {
            let (id, description, fired) = try $0.decode((Int, String, Int).self)
            var fault = try JSONDecoder().decode(Fault.self, from: Data(description.utf8))
            fault.id = id
            fault.fired = fired
            return fault
        }
    }

    public func deleteFaults(id: Int?) async throws {
        try await database.write { connection in
            if let id {
                try await connection.query("DELETE FROM faults WHERE id = \(id)", logger: logger)
            } else {
                try await connection.query("DELETE FROM faults", logger: logger)
            }
        }
    }

    public func recordFiring(ofFault id: Int) async throws {
        try await database.write { connection in
            try await connection.query("UPDATE faults SET fired = fired + 1 WHERE id = \(id)", logger: logger)
        }
    }
}
