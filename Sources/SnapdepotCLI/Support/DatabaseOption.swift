import ArgumentParser
import Foundation
import StorePersistence

/// Where the catalogue is, for the commands that open a store's data themselves (`serve`,
/// `data check`, the benchmarks): the data folder's SQLite file unless a PostgreSQL database is named.
public struct DatabaseOption: ParsableArguments {
    @Option(
        help: """
            The catalogue in PostgreSQL instead of DATA/store.db: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE\
            [?sslmode=disable|prefer|require] (default: $SNAPDEPOT_DATABASE when set).
            """)
    public var database: String?

    public init() {}

    /// The PostgreSQL database asked for, if any.
    public var postgres: PostgresLocation? {
        get throws {
            guard let url = database ?? ProcessInfo.processInfo.environment["SNAPDEPOT_DATABASE"], !url.isEmpty
            else { return nil }
            do { return try PostgresLocation(url: url) } catch { throw ValidationError("--database: \(error)") }
        }
    }

    public func validate() throws {
        _ = try postgres
    }
}
