import Logging
import PostgresNIO

/// The catalogue's tables on PostgreSQL: `Schema`'s migrations, rendered for PostgreSQL and
/// recorded in `snapdepot_migrations`; replicas starting together migrate one at a time under an
/// advisory lock.
enum PostgresSchema {
    static var migrations: [CatalogueMigration] {
        Schema.migrations.filter { ($0.only ?? .postgres) == .postgres }
    }

    /// An arbitrary constant of this program's: the advisory lock replicas migrate under.
    static let migrationLock: Int64 = 0x736e_6170_6465_706f
    /// The first key of the two-key advisory locks that order changes of one snap across replicas.
    static let snapLockClass: Int32 = 0x736e_6170

    /// Applies the migrations `client`'s database has not seen, each in its own transaction.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(migrationLock))", logger: logger)
            do {
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS snapdepot_migrations (
                        name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """, logger: logger)
                var applied: Set<String> = []
                for try await name in try await connection.query(
                    "SELECT name FROM snapdepot_migrations", logger: logger
                ).decode(String.self) {
                    applied.insert(name)
                }
                for migration in migrations where !applied.contains(migration.name) {
                    let sql = migration.sql(for: .postgres)
                    try await connection.query("BEGIN", logger: logger)
                    do {
                        // One statement per query (the extended protocol takes one): statements
                        // end with a semicolon at the end of a line (a function's body keeps its
                        // own semicolons on one line).
                        for statement in sql.split(separator: /;[ \t]*\n/)
                        where !statement.allSatisfy(\.isWhitespace) {
                            try await connection.query(PostgresQuery(unsafeSQL: String(statement)), logger: logger)
                        }
                        try await connection.query(
                            "INSERT INTO snapdepot_migrations (name) VALUES (\(migration.name))", logger: logger)
                        try await connection.query("COMMIT", logger: logger)
                    } catch {
                        _ = try? await connection.query("ROLLBACK", logger: logger)
                        throw error
                    }
                    logger.info("catalogue migrated", metadata: ["migration": "\(migration.name)"])
                }
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(migrationLock))", logger: logger)
                throw error
            }
            try await connection.query("SELECT pg_advisory_unlock(\(migrationLock))", logger: logger)
        }
    }
}
