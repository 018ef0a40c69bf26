import GRDB
import StoreCore

/// Where the shards of a split fleet run (`fleet run --shard K/N`) meet before each store step.
extension SQLiteCatalogue {
    public func meet(run: String, step: Int, party: Int, note: String) async throws -> [Int: String] {
        try await writer.write { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO fleet_rendezvous (run, step, party, note) VALUES (?, ?, ?, ?)",
                arguments: [run, step, party, note])
            return try Self.rendezvous(db, run: run, step: step)
        }
    }

    public func rendezvous(run: String, step: Int) async throws -> [Int: String] {
        try await writer.read { db in try Self.rendezvous(db, run: run, step: step) }
    }

    private static func rendezvous(_ db: Database, run: String, step: Int) throws -> [Int: String] {
        let rows = try Row.fetchAll(
            db, sql: "SELECT party, note FROM fleet_rendezvous WHERE run = ? AND step = ?", arguments: [run, step])
        return Dictionary(rows.map { ($0["party"], $0["note"]) }, uniquingKeysWith: { first, _ in first })
    }
}
