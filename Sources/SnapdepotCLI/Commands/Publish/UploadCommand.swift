import ArgumentParser
import Assertions
import Foundation
import SnapFiles
import StoreCore

struct UploadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upload", abstract: "Upload a .snap as the next revision, optionally releasing it.")

    @Argument(help: "The .snap file.") var file: String
    @Option(help: "Channels to release it to, comma-separated (edge,beta).") var release: String?
    @Option(help: "Fix the revision number (admin only, for seeding).") var revision: Int?
    @OptionGroup var brand: BrandStoreOption
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let name = try Self.snapName(of: file)
        var query: [String: String] = [:]
        if let release { query["release"] = release }
        if let revision { query["revision"] = String(revision) }
        if let store = brand.store { query["store"] = store }
        let progress = ProgressBar(label: "uploading \((file as NSString).lastPathComponent)", enabled: !json)
        let record = try await StoreClient.fromEnvironment().upload(
            "/admin/v1/snaps/\(name)/revisions", query: query, file: file,
            progress: { sent, total in progress.update(sent, total) }, as: RevisionRecord.self)
        progress.finish()
        if json { return try JSONOutput.print(record) }
        print("revision \(record.revision) of \(name) created (version \(record.version), \(record.size) bytes)")
        if let release { print("released to \(release)") }
    }

    /// The name comes from the snap itself, so the right snap is addressed. Only `meta/snap.yaml`
    /// is read: the store hashes and checks the whole file as it arrives.
    static func snapName(of file: String) throws -> String {
        let yaml = try SquashfsImage(path: file).readFile(atPath: "meta/snap.yaml", limit: 1 << 20)
        return try SnapMetadata.parse(yaml: String(decoding: yaml, as: UTF8.self)).name
    }
}
