import ArgumentParser
import Assertions
import DeviceAgent
import Foundation
import StoreCore

/// Writes snaps, the assertions their chains need and their channels into one file that
/// `snapdepot import` loads into another store, byte for byte (docs/bundles.md).
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write snaps with their assertions and channels to a bundle for an air-gapped store.",
        discussion: """
            --snap NAME takes every revision the snap's channels hold (each architecture); \
            --snap NAME=CHANNEL only that channel's. --model FILE takes the snaps a device of that model \
            is made of, for its architecture, on the channels an image would take, and the model with \
            its brand's chain. Every file is downloaded as a device downloads it and checked against \
            its SHA3-384 and assertion chain before it goes in. `snapdepot import BUNDLE` loads it.
            """)

    @Option(name: .customLong("snap"), help: "A snap to export, NAME or NAME=CHANNEL (repeatable).")
    var snaps: [String] = []
    @Option(help: "A signed model: export the snaps it is made of.") var model: String?
    @Option(name: .shortAndLong, help: "The bundle to write (a tar).") var output: String
    @Flag(help: "Print machine-readable JSON.") var json = false

    func validate() throws {
        guard snaps.isEmpty != (model == nil) else {
            throw ValidationError("name the snaps (--snap NAME[=CHANNEL], repeatable) or one --model FILE")
        }
    }

    /// One channel of one architecture to carry over.
    struct Pick {
        let name: String
        let channel: String
        let architecture: String
        /// What the source's channel map holds there, when known beforehand.
        let revision: Int?
    }

    func run() async throws {
        let client = try StoreClient.fromEnvironment()
        let roots = try await client.trustedRoots(file: nil)
        guard let rootKey = SnapBundle.roots(in: roots).first(where: { $0.type == .accountKey }) else {
            throw CLIError("the store at \(client.credentials.url) names no root key")
        }
        var extra: [Assertion] = []
        var picks: [Pick] = []
        if let model {
            let (parsed, chain) = try await modelPicks(model, client: client, roots: roots)
            picks = parsed
            extra = chain
        } else {
            for text in snaps { picks += try await channelPicks(text, client: client) }
        }

        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "snapdepot-export-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let snapsFolder = work.appendingPathComponent("snaps")
        try FileManager.default.createDirectory(at: snapsFolder, withIntermediateDirectories: true)
        var assertions = roots
        func keep(_ more: [Assertion]) {
            for assertion in more where !assertions.contains(assertion) { assertions.append(assertion) }
        }
        var bundled: [String: SnapBundle.Manifest.Snap] = [:]
        var order: [String] = []
        let progress = FileProgress(enabled: !json)
        for pick in picks {
            if let revision = pick.revision,
                bundled[pick.name]?.revisions.contains(where: { $0.revision == revision }) == true
            {
                bundled[pick.name]?.channels.append(
                    .init(channel: pick.channel, architecture: pick.architecture, revision: revision))
                continue
            }
            var connection = client.device
            connection.architecture = pick.architecture
            let download = VerifiedSnapDownload(
                connection: connection, trust: try TrustDatabase(trusted: roots), progress: progress.update,
                finished: progress.finish)
            let fetched = try await download.fetch(name: pick.name, channel: pick.channel, into: snapsFolder)
            if let expected = pick.revision, expected != fetched.revision {
                throw CLIError(
                    "\(pick.name) \(pick.channel) (\(pick.architecture)) moved from revision \(expected) to "
                        + "\(fetched.revision) while exporting: export again")
            }
            keep(fetched.assertions)
            let declaration = fetched.assertions.first { $0.type == .snapDeclaration }
            var entry: SnapBundle.Manifest.Snap
            if let known = bundled[pick.name] {
                entry = known
            } else {
                let status = try await client.get("/admin/v1/snaps/\(pick.name)/status", as: SnapStatus.self)
                entry = SnapBundle.Manifest.Snap(
                    name: pick.name, snapID: fetched.snapID, publisherID: declaration?.string("publisher-id") ?? "",
                    tracks: Array(Set(status.rows.map(\.track)).subtracting(["latest"])).sorted(),
                    defaultTrack: status.defaultTrack, revisions: [], channels: [])
                order.append(pick.name)
            }
            if !entry.revisions.contains(where: { $0.revision == fetched.revision }) {
                entry.revisions.append(
                    .init(
                        revision: fetched.revision, file: "snaps/\(fetched.file)", sha3_384: fetched.snap.sha3_384Hex,
                        size: fetched.snap.size, version: fetched.snap.metadata.version))
            }
            entry.channels.append(
                .init(channel: pick.channel, architecture: pick.architecture, revision: fetched.revision))
            bundled[pick.name] = entry
        }
        keep(extra)
        try Data(AssertionStream.encode(assertions)).write(to: work.appendingPathComponent(SnapBundle.assertionsFile))
        let manifest = SnapBundle.Manifest(
            format: SnapBundle.format, createdAt: Timestamp.now().text,
            source: .init(
                url: client.credentials.url, authorityID: rootKey.string("account-id"),
                rootKey: rootKey.string("public-key-sha3-384")),
            snaps: order.compactMap { bundled[$0] }, files: [:])
        var hashed: [String: String] = [:]
        for snap in manifest.snaps {
            for revision in snap.revisions { hashed[revision.file] = revision.sha3_384 }
        }
        try SnapBundle.write(work, manifest: manifest, to: output, known: hashed)
        let summary = Summary(
            output: output, snaps: manifest.snaps.map(\.name),
            revisions: manifest.snaps.reduce(0) { $0 + $1.revisions.count }, assertions: assertions.count)
        if json { return try JSONOutput.print(summary) }
        print(
            "exported \(summary.revisions) revisions of \(summary.snaps.joined(separator: ", ")) with "
                + "\(summary.assertions) assertions to \(output)")
    }

    struct Summary: Encodable {
        let output: String
        let snaps: [String]
        let revisions: Int
        let assertions: Int
    }

    /// NAME: every channel holding a revision, each architecture; NAME=CHANNEL: that channel.
    private func channelPicks(_ text: String, client: StoreClient) async throws -> [Pick] {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard let name = parts.first, !name.isEmpty else { throw CLIError("--snap \(text): name a snap") }
        let status = try await client.get("/admin/v1/snaps/\(name)/status", as: SnapStatus.self)
        var wanted: String?
        if parts.count > 1 {
            let channel = parts[1]
            wanted = channel.contains("/") ? channel : "\(status.defaultTrack)/\(channel)"
        }
        let rows = status.rows.filter { row in
            guard row.revision != nil, !row.following else { return false }
            return wanted == nil || "\(row.track)/\(row.risk)" == wanted
        }
        guard !rows.isEmpty else {
            throw CLIError("\(name) has no revision in \(wanted ?? "any channel") to export")
        }
        return rows.compactMap { row in
            row.revision.map {
                Pick(name: name, channel: "\(row.track)/\(row.risk)", architecture: row.architecture, revision: $0)
            }
        }
    }

    /// The snaps an image of the model takes, and the model with the brand's account and key.
    private func modelPicks(_ file: String, client: StoreClient, roots: [Assertion]) async throws
        -> ([Pick], [Assertion])
    {
        let stream = try AssertionStream.decode(Array(try InputFile.read(file)))
        guard let assertion = stream.first(where: { $0.type == .model }) else {
            throw CLIError("\(file) holds no model assertion")
        }
        let model = try Model(assertion)
        var trust = try TrustDatabase(trusted: roots)
        // The brand's account and the model's signing key as the store serves them, signers first.
        let fetcher = AssertionFetcher(connection: client.device)
        var chain: [Assertion] = []
        for reference in [
            AssertionReference(.account, [model.brandID]),
            AssertionReference(.accountKey, [assertion.string("sign-key-sha3-384")]),
        ] {
            let found = try await fetcher.chain(reference, trusting: trust)
            if let failure = trust.addAll(found).first {
                throw CLIError("\(failure.assertion) from the store does not verify: \(failure.error)")
            }
            chain += found
        }
        if let failure = trust.addAll([assertion]).first {
            throw CLIError("the model does not verify against the store: \(failure.error)")
        }
        chain.append(assertion)
        let builder = SeedBuilder(connection: client.device, model: model, trust: trust, extras: [])
        let picks = builder.wantedSnaps().map {
            Pick(name: $0.name, channel: $0.channel, architecture: model.architecture, revision: nil)
        }
        return (picks, chain)
    }
}
