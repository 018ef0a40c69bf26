import Foundation
import Logging
import PostgresNIO
import StoreCore

/// Where a PostgreSQL catalogue lives, from the URL `serve --database` takes, as libpq spells it:
/// `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require]`, or, over a
/// Unix socket, `postgres:///DATABASE?host=/var/run/postgresql` (`host` is the socket's folder).
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public enum Endpoint: Sendable, Equatable {
        case tcp(host: String, port: Int)
        /// The socket's folder, as PostgreSQL names it (`.s.PGSQL.PORT` inside it).
        case socket(folder: String, port: Int)
    }

    public enum TLSMode: String, Sendable, Equatable {
        case disable, prefer, require
    }

    public let endpoint: Endpoint
    public let username: String
    public let password: String?
    public let database: String
    public let tls: TLSMode
    /// Connections each replica keeps to the database at most (`pool_size=N` in the URL, a
    /// snapdepot parameter; 16 by default): the server's `max_connections` bounds their sum.
    public let poolSize: Int

    /// Whether `text` names a PostgreSQL database rather than a file.
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(url text: String) throws {
        guard Self.isPostgres(text), let url = URLComponents(string: text) else {
            throw StoreError(
                .invalid, "\(text) is not a PostgreSQL URL: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE")
        }
        let query = Dictionary(
            (url.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, last in last })
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw StoreError(.invalid, "\(text) names no database (…/DATABASE)") }
        let port = url.port ?? Int(query["port"] ?? "") ?? 5432
        let host = url.host.flatMap { $0.isEmpty ? nil : $0 } ?? query["host"] ?? "/var/run/postgresql"
        if host.hasPrefix("/") {
            endpoint = .socket(folder: host, port: port)
        } else {
            endpoint = .tcp(host: host, port: port)
        }
        username = url.user ?? query["user"] ?? ProcessInfo.processInfo.environment["USER"] ?? "postgres"
        password = url.password ?? query["password"]
        self.database = database
        let mode = query["sslmode"] ?? (host.hasPrefix("/") ? "disable" : "prefer")
        guard let tls = TLSMode(rawValue: mode) else {
            throw StoreError(.invalid, "sslmode=\(mode) is not one of disable, prefer, require")
        }
        self.tls = tls
        guard let size = Int(query["pool_size"] ?? "16"), size >= 1 else {
            throw StoreError(.invalid, "pool_size=\(query["pool_size"] ?? "") is not a number of connections")
        }
        poolSize = size
    }

    /// The URL without its password, for logs and messages.
    public var description: String {
        switch endpoint {
        case .tcp(let host, let port): "postgres://\(username)@\(host):\(port)/\(database)"
        case .socket(let folder, let port): "postgres:///\(database)?host=\(folder)&port=\(port) (as \(username))"
        }
    }

    /// One connection's settings, for the probe at start: unlike the pool, which tries again
    /// forever, a single connection fails at once with the reason.
    var connectionConfiguration: PostgresConnection.Configuration {
        get throws {
            try connectionConfigurationValue()
        }
    }

    private func connectionConfigurationValue() throws -> PostgresConnection.Configuration {
        switch endpoint {
        case .tcp(let host, let port):
            let tls: PostgresConnection.Configuration.TLS =
                switch self.tls {
                case .disable: .disable
                case .prefer: .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
                case .require: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
                }
            return .init(host: host, port: port, username: username, password: password, database: database, tls: tls)
        case .socket(let folder, let port):
            return .init(
                unixSocketPath: "\(folder)/.s.PGSQL.\(port)", username: username, password: password,
                database: database)
        }
    }

    var configuration: PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        switch endpoint {
        case .tcp(let host, let port):
            let tls: PostgresClient.Configuration.TLS =
                switch self.tls {
                case .disable: .disable
                case .prefer: .prefer(.makeClientConfiguration())
                case .require: .require(.makeClientConfiguration())
                }
            configuration = .init(
                host: host, port: port, username: username, password: password, database: database, tls: tls)
        case .socket(let folder, let port):
            configuration = .init(
                unixSocketPath: "\(folder)/.s.PGSQL.\(port)", username: username, password: password,
                database: database)
        }
        configuration.options.maximumConnections = poolSize
        return configuration
    }
}

/// A pool of connections to one PostgreSQL database, and the two kinds of transaction the
/// catalogue runs on it: a write is SERIALIZABLE, tried again when PostgreSQL reports that a
/// concurrent transaction (on this replica or another) made it impossible to serialize, so that
/// replicas writing at once behave as SQLite's one writer does; a read of several statements sees
/// one snapshot.
final class PostgresDatabase: Sendable {
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>

    /// Returns once the pool runs: a connection asked of a pool not yet running is logged as a misuse.
    init(_ location: PostgresLocation, logger: Logger) async {
        let client = PostgresClient(configuration: location.configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        let (started, signal) = AsyncStream<Void>.makeStream()
        running = Task {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
        await Task.yield()
    }

    func close() {
        running.cancel()
    }

    /// How many times a write is tried before its serialization failure is reported.
    static let attempts = 30

    /// How a write sees other transactions: SERIALIZABLE unless it is one statement that is atomic
    /// on its own (an upsert that returns its row), which READ COMMITTED runs without conflicts.
    enum Isolation: String {
        case serializable = "SERIALIZABLE"
        case readCommitted = "READ COMMITTED"
    }

    @discardableResult
    func write<Result: Sendable>(
        _ isolation: Isolation = .serializable, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        var attempt = 1
        while true {
            do {
                return try await transaction(
                    PostgresQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)"), body)
            } catch let error as PSQLError where Self.isRetryable(error) && attempt < Self.attempts {
                // Random and growing, so that the writers that collided do not collide again.
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...min(200, 2 << min(attempt, 7)))))
                attempt += 1
            }
        }
    }

    func read<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// Rows of one statement, outside any transaction.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        do {
            return try await client.query(query, logger: logger).collect()
        } catch {
            throw Self.translated(error)
        }
    }

    private func transaction<Result: Sendable>(
        _ begin: PostgresQuery, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        try await client.withConnection { connection in
            try await connection.query(begin, logger: logger)
            do {
                let result = try await body(connection)
                try await connection.query("COMMIT", logger: logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw Self.translated(error)
            }
        }
    }

    /// `40001` serialization failure and `40P01` deadlock: PostgreSQL's word that trying again may succeed.
    static func isRetryable(_ error: PSQLError) -> Bool {
        ["40001", "40P01"].contains(error.serverInfo?[.sqlState] ?? "")
    }

    /// PostgreSQL's errors in the store's words: a unique or foreign key violation is the conflict
    /// SQLite's constraint errors are reported as, a database that cannot be reached is unavailable
    /// (a 503 that clients try again), and the rest says what the server said. A serialization
    /// failure stays as it is, for `write` to try again.
    static func translated(_ error: any Error) -> any Error {
        guard let postgres = error as? PSQLError else { return error }
        guard let state = postgres.serverInfo?[.sqlState] else {
            return StoreError(.unavailable, "the catalogue's database cannot be reached: \(postgres.code)")
        }
        let message = postgres.serverInfo?[.message] ?? ""
        switch state {
        case "40001", "40P01":
            return error
        case "23505", "23503":
            return CatalogueError.conflict(message)
        default:
            return StoreError(.internalError, "the catalogue's database (PostgreSQL) answered \(state): \(message)")
        }
    }
}

extension PostgresConnection {
    /// Every row of `query`.
    func rows(_ query: PostgresQuery, logger: Logger) async throws -> [PostgresRow] {
        try await self.query(query, logger: logger).collect()
    }
}

/// A row read by column name: `try row["id"]` decodes the column as the type asked for.
struct Columns {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row.makeRandomAccess()
    }

    subscript<Value: PostgresDecodable>(_ column: String) -> Value {
        get throws { try row[column].decode(Value.self) }
    }
}
