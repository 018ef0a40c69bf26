import PostgresNIO

extension PostgresCatalogue {
    /// Benchmark only (`bench store|device --database`): the same catalogue `SQLiteCatalogue`'s
    /// bulk seeding makes — `snaps` snaps of `revisionsPerSnap` revisions each, released to stable
    /// and edge, nothing signed — made by PostgreSQL itself from `generate_series`, in one
    /// transaction. Returns the snap-ids.
    public func seedForBenchmark(snaps: Int, revisionsPerSnap: Int) async throws -> [String] {
        let count = snaps
        let revisions = revisionsPerSnap
        try await database.write(.readCommitted) { connection in
            try await connection.query(
                """
                INSERT INTO accounts (id, username, display_name, validation, created_at)
                VALUES ('bench-publisher', 'bench-publisher', 'Benchmark', 'verified', 0) ON CONFLICT DO NOTHING
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO snaps (snap_id, name, publisher_id, created_at)
                SELECT 'benchsnap' || lpad(i::text, 23, '0'), 'bench-snap-' || i, 'bench-publisher', 0
                FROM generate_series(0, \(count) - 1) AS i
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO revisions (snap_id, revision, version, type, base, architectures, epoch_read,
                    epoch_write, confinement, grade, provenance, sha3_384, size, snap_yaml, created_at)
                SELECT 'benchsnap' || lpad(i::text, 23, '0'), r, '1.' || r, 'app', 'core22', '["amd64"]', '[0]',
                    '[0]', 'strict', 'stable', 'global-upload', lpad((i * 1000 + r)::text, 96, '0'), 4096,
                    'name: bench', 0
                FROM generate_series(0, \(count) - 1) AS i, generate_series(1, \(revisions)) AS r
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO releases (snap_id, track, risk, branch, architecture, revision, released_at)
                SELECT 'benchsnap' || lpad(i::text, 23, '0'), 'latest', channel.risk, '', 'amd64', channel.revision, 0
                FROM generate_series(0, \(count) - 1) AS i,
                    (VALUES ('stable', \(revisions) - 1), ('edge', \(revisions))) AS channel(risk, revision)
                WHERE channel.revision >= 1
                """, logger: logger)
        }
        return (0..<snaps).map { "benchsnap" + String(repeating: "0", count: 23 - String($0).count) + String($0) }
    }
}
