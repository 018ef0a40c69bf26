import ArgumentParser
import Assertions
import Foundation
import StoreCore

/// `--store ID` for names that live in a brand store.
struct BrandStoreOption: ParsableArguments {
    @Option(help: "Brand store the name lives in.") var store: String?
}

struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register", abstract: "Register a snap name; the store signs its snap-declaration.")

    @Argument(help: "Snap name.") var name: String
    @Option(help: "Publisher account id (admin token only; a publisher registers for itself).") var publisher: String?
    @Flag(help: "Keep the snap out of search results for other accounts.") var `private` = false
    @OptionGroup var brand: BrandStoreOption
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        struct Body: Encodable {
            let name: String
            let publisher: String?
            let store: String?
            let isPrivate: Bool
        }
        let snap = try await StoreClient.fromEnvironment().post(
            "/admin/v1/snaps", Body(name: name, publisher: publisher, store: brand.store, isPrivate: `private`),
            as: SnapRecord.self)
        if json { try JSONOutput.print(snap) } else { print("registered \(snap.name): snap-id \(snap.snapID)") }
    }
}

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

    /// The name comes from the snap itself, so the right snap is addressed.
    static func snapName(of file: String) throws -> String {
        try SnapFilesBridge.name(of: file)
    }
}

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

struct AssertionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assertions", abstract: "Import assertions into the store.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import assertion streams; each must verify against the store's trust database.")

        @Argument(help: "Files holding assertion streams.") var files: [String]
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            var bytes: [UInt8] = []
            for file in files {
                let assertions = try AssertionStream.decode(try InputFile.read(file))
                bytes = AssertionStream.encode(try AssertionStream.decode(bytes) + assertions)
            }
            let report = try await StoreClient.fromEnvironment().postRaw(
                "/admin/v1/assertions", bytes: bytes, as: ImportReport.self)
            if json { return try JSONOutput.print(report) }
            for line in report.imported { print("imported \(line)") }
        }
    }
}
