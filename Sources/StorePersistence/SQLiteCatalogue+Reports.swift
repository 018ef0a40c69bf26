import Foundation
import GRDB
import StoreCore

extension SQLiteCatalogue {
    public func recordReport(serialKey: String, snaps: [ReportedSnap], at time: Int64) async throws {
        if writtenReports.unchanged(serialKey, snaps, at: time) { return }
        // Not kept in memory (after a start, a download, or a minute): what the table holds says.
        let held = try await writer.read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT snap_id, revision, channel, refreshed_date, reported_at, pending_revision
                        FROM device_snaps WHERE serial_key = ?
                        """), arguments: [serialKey]
            ).reduce(into: [String: HeldSnap]()) { held, row in
                held[row["snap_id"]] = HeldSnap(
                    revision: row["revision"], channel: row["channel"], refreshedDate: row["refreshed_date"],
                    reportedAt: row["reported_at"], pendingRevision: row["pending_revision"])
            }
        }
        if ReportEvents.changesNothing(snaps, held: held, at: time) { return }
        try await writer.write { [writtenReports] db in
            db.afterNextTransaction { _ in writtenReports.wrote(serialKey, snaps, at: time) }
            for snap in snaps {
                let stored = try Row.fetchOne(
                    db, sql: "SELECT revision, pending_revision FROM device_snaps WHERE serial_key = ? AND snap_id = ?",
                    arguments: [serialKey, snap.snapID])
                let pending: Int? = stored.flatMap { $0["pending_revision"] }
                let events = ReportEvents.implied(
                    by: snap, heldRevision: stored.map { $0["revision"] }, pendingRevision: pending)
                try db.execute(
                    sql: """
                        INSERT INTO device_snaps (serial_key, snap_id, revision, channel, refreshed_date, reported_at,
                            pending_revision)
                        VALUES (?, ?, ?, ?, ?, ?, NULL)
                        ON CONFLICT (serial_key, snap_id) DO UPDATE SET revision = excluded.revision,
                            channel = excluded.channel, refreshed_date = excluded.refreshed_date,
                            reported_at = excluded.reported_at, pending_revision = NULL
                        """,
                    arguments: [serialKey, snap.snapID, snap.revision, snap.channel, snap.refreshedDate, time])
                for event in events {
                    try Self.addEvent(db, serialKey, snap.snapID, event.revision, event.kind, time, event.detail)
                }
            }
            // The report is the whole installed set: what it no longer names was removed.
            let reported = Set(snaps.map(\.snapID))
            let gone = try Row.fetchAll(
                db, sql: "SELECT snap_id, revision FROM device_snaps WHERE serial_key = ?", arguments: [serialKey]
            ).filter { !reported.contains($0["snap_id"]) }
            for row in gone {
                let snapID: String = row["snap_id"]
                try db.execute(
                    sql: "DELETE FROM device_snaps WHERE serial_key = ? AND snap_id = ?",
                    arguments: [serialKey, snapID])
                try Self.addEvent(db, serialKey, snapID, row["revision"], .removed, time, nil)
            }
        }
    }

    public func recordDownload(serialKey: String, snapID: String, revision: Int, at time: Int64) async throws {
        try await writer.write { db in
            let pending = try Int.fetchOne(
                db, sql: "SELECT pending_revision FROM device_snaps WHERE serial_key = ? AND snap_id = ?",
                arguments: [serialKey, snapID])
            // A resumed or repeated download of the same revision is one download.
            guard pending != revision else { return }
            writtenReports.forget(serialKey)
            try db.execute(
                sql: "UPDATE device_snaps SET pending_revision = ? WHERE serial_key = ? AND snap_id = ?",
                arguments: [revision, serialKey, snapID])
            try Self.addEvent(db, serialKey, snapID, revision, .downloaded, time, nil)
        }
    }

    public func lastDeviceEventID() async throws -> Int64 {
        try await writer.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(id) FROM device_events") ?? 0 }
    }

    public func rolloutOutcome(snapID: String, revision: Int, eventsAfter: Int64) async throws -> (
        attempts: Int, failures: Int
    ) {
        try await writer.read { db in
            let counts = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(DISTINCT serial_key) AS attempts,
                        COUNT(DISTINCT CASE WHEN kind = 'failed' THEN serial_key END) AS failures
                    FROM device_events WHERE snap_id = ? AND revision = ? AND id > ?
                        AND kind IN ('downloaded', 'installed', 'refreshed', 'failed')
                    """, arguments: [snapID, revision, eventsAfter])
            return (counts?["attempts"] ?? 0, counts?["failures"] ?? 0)
        }
    }

    public func recordEvent(serialKey: String, _ event: DeviceSnapEvent) async throws {
        try await writer.write { db in
            try Self.addEvent(db, serialKey, event.snapID, event.revision, event.kind, event.at, event.detail)
        }
    }

    public func installedSnaps(serialKey: String) async throws -> [InstalledSnapRecord] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT device_snaps.*, snaps.name FROM device_snaps
                    LEFT JOIN snaps ON snaps.snap_id = device_snaps.snap_id
                    WHERE serial_key = ? ORDER BY snaps.name, device_snaps.snap_id
                    """, arguments: [serialKey]
            ).map {
                InstalledSnapRecord(
                    snapID: $0["snap_id"], name: $0["name"], revision: $0["revision"], channel: $0["channel"],
                    refreshedDate: $0["refreshed_date"], reportedAt: $0["reported_at"])
            }
        }
    }

    public func deviceEvents(serialKey: String) async throws -> [DeviceSnapEvent] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM device_events WHERE serial_key = ? ORDER BY id", arguments: [serialKey]
            ).compactMap { row in
                guard let kind = DeviceSnapEvent.Kind(rawValue: row["kind"]) else { return nil }
                return DeviceSnapEvent(
                    snapID: row["snap_id"], revision: row["revision"], kind: kind, at: row["at"], detail: row["detail"])
            }
        }
    }

    static func addEvent(
        _ db: Database, _ serialKey: String, _ snapID: String, _ revision: Int, _ kind: DeviceSnapEvent.Kind,
        _ time: Int64, _ detail: String?
    ) throws {
        try db.execute(
            sql:
                "INSERT INTO device_events (serial_key, snap_id, revision, kind, at, detail) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [serialKey, snapID, revision, kind.rawValue, time, detail])
    }
}
