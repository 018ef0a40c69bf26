import Foundation
import GRDB
import SnapdepotCLI
import StoreCore
import StorePersistence

extension SQLiteCatalogue {
    /// Benchmark only: fills the catalogue with `snaps` snaps of `revisionsPerSnap` revisions each,
    /// released to stable and edge, in one transaction and without signing anything. A real store
    /// signs a declaration per snap and a revision assertion per revision; that cost is measured by
    /// `bench crypto`, not here.
    public func seedForBenchmark(snaps: Int, revisionsPerSnap: Int) async throws -> [String] {
        try await writer.write { db in
            try db.execute(
                sql:
                    "INSERT OR IGNORE INTO accounts (id, username, display_name, validation, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: ["bench-publisher", "bench-publisher", "Benchmark", "verified", 0])
            var ids: [String] = []
            for index in 0..<snaps {
                let snapID = String(format: "benchsnap%023d", index)
                ids.append(snapID)
                try db.execute(
                    sql: "INSERT INTO snaps (snap_id, name, publisher_id, created_at) VALUES (?, ?, ?, ?)",
                    arguments: [snapID, "bench-snap-\(index)", "bench-publisher", 0])
                for revision in 1...revisionsPerSnap {
                    try db.execute(
                        sql: """
                            INSERT INTO revisions (snap_id, revision, version, type, base, architectures, epoch_read,
                                epoch_write, confinement, grade, provenance, sha3_384, size, snap_yaml, created_at)
                            VALUES (?, ?, ?, 'app', 'core22', '["amd64"]', '[0]', '[0]', 'strict', 'stable',
                                'global-upload', ?, 4096, 'name: bench', 0)
                            """,
                        arguments: [
                            snapID, revision, "1.\(revision)", String(format: "%096d", index * 1000 + revision),
                        ])
                }
                for (risk, revision) in [("stable", revisionsPerSnap - 1), ("edge", revisionsPerSnap)]
                where revision >= 1 {
                    try db.execute(
                        sql: """
                            INSERT INTO releases (snap_id, track, risk, branch, architecture, revision, released_at)
                            VALUES (?, 'latest', ?, '', 'amd64', ?, 0)
                            """,
                        arguments: [snapID, risk, revision])
                }
            }
            return ids
        }
    }
}

extension Catalogue {
    /// The bulk insert of either catalogue: the benchmarks run on the embedded default and on
    /// PostgreSQL (`--database`).
    public func seedForBenchmark(snaps: Int, revisionsPerSnap: Int) async throws -> [String] {
        if let sqlite = self as? SQLiteCatalogue {
            return try await sqlite.seedForBenchmark(snaps: snaps, revisionsPerSnap: revisionsPerSnap)
        }
        guard let postgres = self as? PostgresCatalogue else {
            throw CLIError("the benchmark's bulk seeding knows SQLite and PostgreSQL, not \(type(of: self))")
        }
        return try await postgres.seedForBenchmark(snaps: snaps, revisionsPerSnap: revisionsPerSnap)
    }
}
