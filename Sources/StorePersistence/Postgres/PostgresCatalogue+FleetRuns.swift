import PostgresNIO
import StoreCore

/// Where the shards of a split fleet run (`fleet run --shard K/N`) meet before each store step.
extension PostgresCatalogue {
    public func meet(run: String, step: Int, party: Int, note: String) async throws -> [Int: String] {
        try await database.write(.readCommitted) { connection in
            try await connection.query(
                """
                INSERT INTO fleet_rendezvous (run, step, party, note) VALUES (\(run), \(step), \(party), \(note))
                ON CONFLICT DO NOTHING
                """, logger: logger)
        }
        return try await rendezvous(run: run, step: step)
    }

    public func rendezvous(run: String, step: Int) async throws -> [Int: String] {
        let rows = try await database.rows(
            "SELECT party, note FROM fleet_rendezvous WHERE run = \(run) AND step = \(step)")
        return Dictionary(
            try rows.map { try $0.decode((Int, String).self) }, uniquingKeysWith: { first, _ in first })
    }
}
