import ArgumentParser
import Assertions
import Foundation
import StoreCore

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a snap with its assertions (as `snap download` writes them), keeping its upstream identity.",
        discussion: "The assertions must verify against the store's trusted roots (see `snapdepot trust`)."
    )

    @Argument(help: "The .snap file.") var snap: String
    @Argument(help: "Its .assert file; omit when its assertions were imported already.") var assertions: String?
    @Option(help: "Channels to release it to, comma-separated.") var release: String?
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let client = try StoreClient.fromEnvironment()
        if let assertions {
            _ = try await client.postRaw(
                "/admin/v1/assertions", bytes: try InputFile.read(assertions), as: ImportReport.self)
        }
        let progress = ProgressBar(label: "importing \((snap as NSString).lastPathComponent)", enabled: !json)
        let record = try await client.upload(
            "/admin/v1/import", query: release.map { ["release": $0] } ?? [:], file: snap,
            progress: { sent, total in progress.update(sent, total) }, as: RevisionRecord.self)
        progress.finish()
        if json { return try JSONOutput.print(record) }
        print("imported revision \(record.revision) (snap-id \(record.snapID), version \(record.version))")
    }
}
