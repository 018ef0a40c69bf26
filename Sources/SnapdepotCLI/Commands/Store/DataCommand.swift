import ArgumentParser
import Foundation
import StorePersistence

/// The store's data folder, checked from outside the server.
struct DataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Check a store's data: the catalogue's integrity and every revision's blob.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the catalogue (SQLite's PRAGMA integrity_check) and hash every revision's blob.",
            discussion: """
                Exits non-zero when the database is damaged or a revision's blob is missing or has other \
                bytes. Blobs no revision names (left by a crash between a blob's rename and its row's \
                commit) and partial uploads are reported: the next `serve` moves the first to \
                DATA/blobs/quarantine and removes the second. With --database, the catalogue is that \
                PostgreSQL database (its schema must be current; the server checks its own pages).
                """)
        @Option(help: "The store's data folder (default: $SNAPDEPOT_DATA or ~/.local/share/snapdepot/store).")
        var data: String?
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let folder = data ?? ServeCommand.defaultDataDirectory()
            let report = try await DataDirectory(path: folder).check(database: try database.postgres)
            if json {
                try JSONOutput.print(report)
            } else {
                print("database: \(report.integrity)")
                print(
                    "revisions: \(report.revisions), \(report.missingBlobs.count) blobs missing, "
                        + "\(report.corruptBlobs.count) with other bytes")
                for label in report.missingBlobs { print("  missing: \(label)") }
                for label in report.corruptBlobs { print("  other bytes: \(label)") }
                print(
                    "blobs no revision names: \(report.orphanBlobs.count) (set aside at the next start); "
                        + "quarantined: \(report.quarantined); partial uploads: \(report.partialUploads)")
            }
            if !report.isSound { throw ExitCode(1) }
        }
    }
}
