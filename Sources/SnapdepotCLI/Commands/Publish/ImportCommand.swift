import ArgumentParser
import Assertions
import Foundation
import SnapFiles
import StoreCore

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a snap with its assertions (as `snap download` writes them), or a bundle `export` wrote.",
        discussion: """
            The assertions must verify against the store's trusted roots (see `snapdepot trust`). A bundle \
            keeps its snap-ids, revisions, publishers and assertions byte for byte and puts each revision \
            back in its channels; one signed under a root this store does not trust is refused unless \
            --trust names that root, which the store then trusts for imports. A damaged bundle is refused \
            before anything is written.
            """
    )

    @Argument(help: "The .snap file, or a bundle (.tar) from `snapdepot export`.") var snap: String
    @Argument(help: "The snap's .assert file; omit when its assertions were imported already.") var assertions: String?
    @Option(help: "Channels to release a snap to, comma-separated.") var release: String?
    @Option(help: "A bundle's root (its account and account-key), to trust for imports from now on.")
    var trust: String?
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let client = try StoreClient.fromEnvironment()
        if SnapBundle.isBundle(snap) {
            guard assertions == nil, release == nil else {
                throw CLIError("a bundle carries its assertions and channels: drop the .assert file and --release")
            }
            return try await BundleImport(client: client, file: snap, trust: trust, json: json).run()
        }
        guard trust == nil else { throw CLIError("--trust is for bundles; trust a root with `snapdepot trust add`") }
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

/// A bundle into the store: everything is checked first (the files against the manifest, the
/// assertions against the store's roots and `--trust`, each snap against its snap-revision, each
/// name against what the store already has), then written: the root if trusted now, the
/// assertions in one batch, each revision, and the releases.
struct BundleImport {
    let client: StoreClient
    let file: String
    let trust: String?
    let json: Bool

    struct Summary: Encodable {
        let snaps: [String]
        let revisions: Int
        let releases: Int
        let trustedRoot: String?
    }

    func run() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "snapdepot-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let bundle = try SnapBundle.open(file, into: work)

        struct TrustAnswer: Decodable {
            let trusted: String
            let storeAccountKey: String
            let importsTrusted: String
        }
        let answer = try await client.get("/admin/v1/trust", as: TrustAnswer.self)
        let storeRoots =
            try AssertionStream.decode(answer.trusted) + (try AssertionStream.decode(answer.importsTrusted))
        let bundleRoots = SnapBundle.roots(in: bundle.assertions)
        let trustedKeys = Set(storeRoots.filter { $0.type == .accountKey }.map { $0.string("public-key-sha3-384") })
        let bundleKeys = bundleRoots.filter { $0.type == .accountKey }.map { $0.string("public-key-sha3-384") }
        // snapd keys accounts by id: a root with the id of this store's own is another account of the same name.
        let ownRootIDs = Set(
            SnapBundle.roots(in: storeRoots).filter { $0.type == .accountKey }.map { $0.string("account-id") })
        for root in bundleRoots
        where root.type == .accountKey && !trustedKeys.contains(root.string("public-key-sha3-384"))
            && ownRootIDs.contains(root.string("account-id"))
        {
            throw CLIError(
                "\(file) is signed under another root named \(root.string("account-id")), the account id of this "
                    + "store's own root: two roots cannot share an account id. Give one of the stores its own "
                    + "(`snapdepot trust init --authority-id NAME` before its first start); nothing was imported")
        }
        var newRoot: [Assertion] = []
        if let untrusted = bundleKeys.first(where: { !trustedKeys.contains($0) }) {
            let authority = bundle.manifest.source.authorityID
            guard let trust else {
                throw CLIError(
                    "\(file) is signed under the root \(authority) (key \(untrusted)), which this store does not "
                        + "trust: if you trust it, pass --trust with that root's account and account-key "
                        + "(`snapdepot trust show` on the source store, or its /admin/v1/trust)")
            }
            newRoot = try AssertionStream.decode(Array(try InputFile.read(trust)))
            let offered = Set(
                SnapBundle.roots(in: newRoot).filter { $0.type == .accountKey }.map { $0.string("public-key-sha3-384") }
            )
            guard offered.contains(untrusted) else {
                throw CLIError(
                    "--trust \(trust) is not the root \(file) is signed under (\(authority), key \(untrusted)): refused"
                )
            }
        }
        // The whole chain, as the store will check it, before anything is written.
        var database = try TrustDatabase(trusted: storeRoots + newRoot)
        _ = database.addAll(try AssertionStream.decode(answer.storeAccountKey))
        let rest = bundle.assertions.filter { assertion in !bundleRoots.contains(assertion) }
        if let failure = database.addAll(rest).first {
            throw CLIError("\(file): \(failure.assertion) does not verify: \(failure.error); nothing was imported")
        }
        for snap in bundle.manifest.snaps {
            for revision in snap.revisions {
                let path = bundle.folder.appendingPathComponent(revision.file).path
                let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? 0
                let opened = try SnapFile.open(path: path, digest: bundle.digests[revision.file].map { ($0, size) })
                let reference = AssertionReference(.snapRevision, [opened.sha3_384Base64URL])
                guard let assertion = database.find(reference), assertion.string("snap-id") == snap.snapID,
                    assertion.string("snap-revision") == String(revision.revision)
                else {
                    throw CLIError(
                        "\(file): \(revision.file) has no snap-revision of \(snap.name) revision \(revision.revision) "
                            + "in the bundle; nothing was imported")
                }
            }
            if let status = try? await client.get("/admin/v1/snaps/\(snap.name)/status", as: SnapStatus.self),
                status.snapID != snap.snapID
            {
                throw CLIError(
                    "this store's \(snap.name) is another snap (snap-id \(status.snapID), the bundle's is "
                        + "\(snap.snapID)): nothing was imported")
            }
        }

        if !newRoot.isEmpty {
            _ = try await client.raw(
                .POST, "/admin/v1/trust", body: AssertionStream.encode(newRoot),
                contentType: "application/x.ubuntu.assertion")
        }
        _ = try await client.postRaw("/admin/v1/assertions", bytes: AssertionStream.encode(rest), as: ImportReport.self)
        var revisions = 0
        var releases = 0
        for snap in bundle.manifest.snaps {
            let records = try? await client.get("/admin/v1/snaps/\(snap.name)/revisions", as: [RevisionRecord].self)
            let stored = Set((records ?? []).map(\.revision))
            for revision in snap.revisions where !stored.contains(revision.revision) {
                let progress = ProgressBar(label: "importing \(snap.name) \(revision.revision)", enabled: !json)
                _ = try await client.upload(
                    "/admin/v1/import", query: [:], file: bundle.folder.appendingPathComponent(revision.file).path,
                    progress: { sent, total in progress.update(sent, total) }, as: RevisionRecord.self)
                progress.finish()
                revisions += 1
            }
            var status = try await client.get("/admin/v1/snaps/\(snap.name)/status", as: SnapStatus.self)
            let tracks = Set(status.rows.map(\.track))
            if !Set(snap.tracks).isSubset(of: tracks) || status.defaultTrack != snap.defaultTrack {
                struct Tracks: Encodable {
                    let add: [String]
                    let defaultTrack: String
                }
                status = try await client.post(
                    "/admin/v1/snaps/\(snap.name)/tracks",
                    Tracks(add: snap.tracks.filter { !tracks.contains($0) }, defaultTrack: snap.defaultTrack),
                    as: SnapStatus.self)
            }
            // Only what is not in place yet: importing a bundle again changes nothing.
            let held = Dictionary(
                status.rows.compactMap { row in
                    row.following ? nil : row.revision.map { ("\(row.track)/\(row.risk) \(row.architecture)", $0) }
                }, uniquingKeysWith: { first, _ in first })
            let missing = snap.channels.filter { held["\($0.channel) \($0.architecture)"] != $0.revision }
            for (revision, placements) in Dictionary(grouping: missing, by: { $0.revision }).sorted(by: {
                $0.key < $1.key
            }) {
                let channels = Array(Set(placements.map { $0.channel })).sorted()
                struct Release: Encodable {
                    let revision: Int
                    let channels: [String]
                }
                _ = try await client.raw(
                    .POST, "/admin/v1/snaps/\(snap.name)/releases",
                    body: Array(try JSONEncoder().encode(Release(revision: revision, channels: channels))),
                    contentType: "application/json")
                releases += channels.count
            }
        }
        let summary = Summary(
            snaps: bundle.manifest.snaps.map(\.name), revisions: revisions, releases: releases,
            trustedRoot: newRoot.isEmpty ? nil : bundle.manifest.source.authorityID)
        if json { return try JSONOutput.print(summary) }
        if let root = summary.trustedRoot { print("now trusting the root \(root) for imports") }
        print(
            "imported \(revisions) revisions of \(summary.snaps.joined(separator: ", ")) and released them to "
                + "\(releases) channels")
    }
}
