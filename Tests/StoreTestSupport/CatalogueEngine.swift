import ChildProcesses
import Foundation
import StorePersistence

/// The catalogue engines a test runs on: SQLite always; PostgreSQL when `SNAPDEPOT_TEST_POSTGRES`
/// names a server to make test databases on (`scripts/postgres-for-tests` starts Debian's and
/// prints it; `scripts/test` and CI set it), so that the two engines cannot drift.
public enum CatalogueEngine: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public static var available: [CatalogueEngine] {
        PostgresTestDatabase.server == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    public var description: String { rawValue }
}

/// A database of its own for one test, on the server `SNAPDEPOT_TEST_POSTGRES` names (a URL whose
/// role may create databases), made with Debian's `psql` and dropped at the end.
public struct PostgresTestDatabase: Sendable {
    public let location: PostgresLocation
    let name: String

    /// The server's URL, with the database tests connect to to create theirs (usually `postgres`).
    public static var server: String? {
        ProcessInfo.processInfo.environment["SNAPDEPOT_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    }

    public static func make() throws -> PostgresTestDatabase {
        guard let server else { throw PostgresTestError("SNAPDEPOT_TEST_POSTGRES is not set") }
        let name = "snapdepot_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try psql(server, "CREATE DATABASE \(name)")
        var components = URLComponents(string: server)
        components?.path = "/" + name
        guard let url = components?.string else { throw PostgresTestError("\(server) is not a URL") }
        return PostgresTestDatabase(location: try PostgresLocation(url: url), name: name)
    }

    /// Drops the database, ending whatever connections still use it.
    public func drop() {
        guard let server = Self.server else { return }
        try? Self.psql(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    static func psql(_ server: String, _ statement: String) throws {
        // psql refuses parameters libpq does not know: snapdepot's own (pool_size) stay out.
        var url = server
        if var components = URLComponents(string: server) {
            let kept = components.queryItems?.filter { $0.name != "pool_size" }
            components.queryItems = kept
            url = components.string ?? server
        }
        let outcome = try ChildProcess.run(
            "psql", [url, "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--command", statement],
            timeout: .seconds(60))
        guard outcome.succeeded else {
            throw PostgresTestError("psql \(statement): \(outcome.describe(timeout: .seconds(60))) \(outcome.output)")
        }
    }
}

public struct PostgresTestError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
