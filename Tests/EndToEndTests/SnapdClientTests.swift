import Assertions
import Foundation
import StoreCore
import StoreProtocol
import StoreTestSupport
import TestSupport
import Testing

/// snapd's own `snap` CLI (built from Debian's source with `withtestkeys`) against a running
/// snapdepot in test-root mode: every download is verified by snapd, sha3-384 and assertion chain.
@Suite(
    .serialized,
    .enabled(if: SnapdSource.snapCLI != nil && SnapdSource.available, "needs snapd's snap CLI: run scripts/test"))
struct SnapdClientTests {
    struct Store {
        let fixture: StoreFixture
        let server: ServerProcess
        var environment: [String: String] {
            [
                "SNAPPY_FORCE_API_URL": server.url + "/", "SNAPPY_FORCE_SAS_URL": server.url + "/",
                "UBUNTU_STORE_ARCH": "amd64", "SNAPDEPOT_URL": server.url, "SNAPDEPOT_TOKEN": server.adminToken,
                "HOME": fixture.folder.path,
            ]
        }

        /// Runs snapd's `snap` in `directory`.
        func snap(_ arguments: [String], in directory: URL) throws -> CommandResult {
            try run(try #require(SnapdSource.snapCLI), arguments, in: directory)
        }

        func snapdepot(_ arguments: [String]) throws -> CommandResult {
            try run(ServerProcess.binary.path, arguments, in: fixture.folder)
        }

        func run(_ executable: String, _ arguments: [String], in directory: URL) throws -> CommandResult {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: executable)
            process.arguments = arguments
            process.currentDirectoryURL = directory
            process.environment = ["PATH": "/usr/bin:/bin"].merging(environment) { _, new in new }
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return CommandResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
        }
    }

    /// A testrootorg store with hello-depot: r1 stable, r2 beta, r3 in 2.0/edge.
    static func seeded() async throws -> Store {
        let fixture = try await StoreFixture.make()
        let server = try ServerProcess(
            data: fixture.folder.appendingPathComponent("testroot").path, extraArguments: ["--testrootorg"])
        let store = Store(fixture: fixture, server: server)
        for arguments in [
            ["accounts", "create", "acme", "--id", "acme-brand", "--validation", "verified"],
            ["register", "hello-depot", "--publisher", "acme-brand"],
            ["tracks", "hello-depot", "--add", "2.0"],
        ] {
            let result = try store.snapdepot(arguments)
            try #require(result.status == 0, "\(arguments): \(result.output)")
        }
        for (version, channels) in [("1.0", "stable"), ("1.1", "beta"), ("2.0", "2.0/edge")] {
            let snap = try fixture.packSnap(
                "hello-depot", version: version, architectures: ["amd64"], payload: 64 * 1024)
            let result = try store.snapdepot(["upload", snap, "--release", channels])
            try #require(result.status == 0, "\(result.output)")
        }
        return store
    }

    private func download(_ store: Store, _ arguments: [String]) throws -> (CommandResult, URL) {
        let target = try makeTemporaryDirectory("download")
        let result = try store.snap(
            ["download", "hello-depot"] + arguments + ["--target-directory", target.path], in: target)
        return (result, target)
    }

    @Test func snapDownloadVerifiesEveryChannelForm() async throws {
        let store = try await Self.seeded()
        defer {
            store.server.stop()
            store.fixture.cleanUp()
        }
        for (arguments, revision) in [
            ([String](), 1), (["--channel=beta"], 2), (["--channel=2.0/edge"], 3), (["--revision=2"], 2),
        ] {
            let (result, target) = try download(store, arguments)
            #expect(result.status == 0, "\(arguments): \(result.output)")
            let files = try FileManager.default.contentsOfDirectory(atPath: target.path).sorted()
            #expect(files == ["hello-depot_\(revision).assert", "hello-depot_\(revision).snap"], "\(arguments)")
        }
        // A closed channel follows the next safer risk.
        #expect(try store.snapdepot(["close", "hello-depot", "beta"]).status == 0)
        let (followed, target) = try download(store, ["--channel=beta"])
        #expect(followed.status == 0, "\(followed.output)")
        #expect(FileManager.default.fileExists(atPath: target.appendingPathComponent("hello-depot_1.snap").path))
    }

    /// `snapdepot promote`, as `snapcraft promote`: what beta holds goes to candidate, and snapd
    /// downloads it from there; a promotion of nothing, or to itself, says why and changes nothing.
    @Test func snapDownloadsWhatWasPromoted() async throws {
        let store = try await Self.seeded()
        defer {
            store.server.stop()
            store.fixture.cleanUp()
        }
        // Closed, candidate follows stable until the promotion.
        let (before, followed) = try download(store, ["--channel=candidate"])
        #expect(before.status == 0, "\(before.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: followed.path).contains("hello-depot_1.snap"))
        let promoted = try store.snapdepot([
            "promote", "hello-depot", "--from-channel", "beta", "--to-channel", "candidate",
        ])
        #expect(promoted.status == 0, "\(promoted.output)")
        let (after, target) = try download(store, ["--channel=candidate"])
        #expect(after.status == 0, "\(after.output)")
        let files = try FileManager.default.contentsOfDirectory(atPath: target.path).sorted()
        #expect(files == ["hello-depot_2.assert", "hello-depot_2.snap"])

        let nothing = try store.snapdepot([
            "promote", "hello-depot", "--from-channel", "edge", "--to-channel", "stable",
        ])
        #expect(nothing.status != 0 && nothing.output.contains("nothing to promote"), "\(nothing.output)")
        let itself = try store.snapdepot(["promote", "hello-depot", "--from-channel", "beta", "--to-channel", "beta"])
        #expect(itself.status != 0 && itself.output.contains("itself"), "\(itself.output)")
        let (stable, kept) = try download(store, [])
        #expect(stable.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: kept.path).contains("hello-depot_1.snap"))
    }

    @Test func snapDownloadReportsWhatIsMissing() async throws {
        let store = try await Self.seeded()
        defer {
            store.server.stop()
            store.fixture.cleanUp()
        }
        let target = try makeTemporaryDirectory("download")
        let unknown = try store.snap(["download", "no-such-snap", "--target-directory", target.path], in: target)
        #expect(unknown.status != 0)
        #expect(unknown.output.contains("cannot download snap \"no-such-snap\": snap not found"), "\(unknown.output)")
        let (track, _) = try download(store, ["--channel=9.9/stable"])
        #expect(track.status != 0)
        #expect(!track.output.isEmpty)
    }

    @Test func snapDownloadResumesAPartialFile() async throws {
        let store = try await Self.seeded()
        defer {
            store.server.stop()
            store.fixture.cleanUp()
        }
        let (first, target) = try download(store, [])
        try #require(first.status == 0, "\(first.output)")
        let snap = target.appendingPathComponent("hello-depot_1.snap")
        let bytes = try Data(contentsOf: snap)
        try FileManager.default.removeItem(at: snap)
        try FileManager.default.removeItem(at: target.appendingPathComponent("hello-depot_1.assert"))
        try bytes.prefix(bytes.count / 2).write(to: target.appendingPathComponent("hello-depot_1.snap.partial"))
        let resumed = try store.snap(["download", "hello-depot", "--target-directory", target.path], in: target)
        #expect(resumed.status == 0, "\(resumed.output)")
        #expect(try Data(contentsOf: snap) == bytes)
    }

    @Test func snapKnownRemoteFetchesEveryType() async throws {
        let store = try await Self.seeded()
        defer {
            store.server.stop()
            store.fixture.cleanUp()
        }
        let folder = store.fixture.folder
        let status = try WireJSON.decoder.decode(
            SnapStatus.self,
            from: try await store.server.request(
                .GET, "/admin/v1/snaps/hello-depot/status", token: store.server.adminToken
            ).body)
        let snapID = status.snapID
        let revisions = try WireJSON.decoder.decode(
            [RevisionRecord].self,
            from: try await store.server.request(
                .GET, "/admin/v1/snaps/hello-depot/revisions", token: store.server.adminToken
            ).body)
        let first = try #require(revisions.first)
        // snap-revision assertions are keyed by the digest in base64url.
        let raw = stride(from: 0, to: first.sha3_384.count, by: 2).compactMap {
            UInt8(first.sha3_384.dropFirst($0).prefix(2), radix: 16)
        }
        let base64 = Data(raw).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let queries: [[String]] = [
            ["account", "account-id=acme-brand"],
            ["account-key", "public-key-sha3-384=\(store.server.storeKeyID)"],
            ["snap-declaration", "series=16", "snap-id=\(snapID)"],
            ["snap-revision", "snap-sha3-384=\(base64)"],
        ]
        // A brand with a registered key, its model, a device's serial, a validation set and a brand store.
        let keys = folder.appendingPathComponent("keys").path
        let brand = try store.snapdepot(["key", "create", "models", "--bits", "2048", "--keys", keys])
        try #require(brand.status == 0, "\(brand.output)")
        try #require(
            try store.snapdepot(["key", "register", "models", "--account", "acme-brand", "--keys", keys]).status == 0)
        let device = try PrivateKey.generate(bits: 1024)
        let now = Timestamp.now().text
        let headers: [(String, String)] = [
            (
                "model.yaml",
                "type: model\nauthority-id: acme-brand\nbrand-id: acme-brand\nseries: 16\nmodel: my-pi3\narchitecture: armhf\ngadget: pi3\nkernel: pi2-kernel\nrequired-snaps: [hello-depot]\ntimestamp: \(now)\n"
            ),
            (
                "serial.yaml",
                "type: serial\nauthority-id: acme-brand\nbrand-id: acme-brand\nmodel: my-pi3\nserial: S-1\ndevice-key-sha3-384: \(device.id)\ntimestamp: \(now)\ndevice-key: |-\n  \(device.publicKey.encoded.replacingOccurrences(of: "\n", with: "\n  "))\n"
            ),
            (
                "fleet.yaml",
                "type: validation-set\nauthority-id: acme-brand\naccount-id: acme-brand\nseries: 16\nname: fleet\nsequence: 1\ntimestamp: \(now)\nsnaps:\n  - name: hello-depot\n    id: \(snapID)\n    presence: required\n"
            ),
        ]
        var signed = Data()
        for (file, text) in headers {
            try Data(text.utf8).write(to: folder.appendingPathComponent(file))
            let result = try store.snapdepot([
                "sign", "--key=models", "--keys", keys, folder.appendingPathComponent(file).path,
            ])
            try #require(result.status == 0, "\(file): \(result.output)")
            signed.append(Data(result.output.utf8))
            signed.append(Data("\n".utf8))
        }
        try signed.write(to: folder.appendingPathComponent("brand.assert"))
        let imported = try store.snapdepot(["assertions", "import", folder.appendingPathComponent("brand.assert").path])
        try #require(imported.status == 0, "\(imported.output)")
        _ = try await store.server.json(
            .POST, "/admin/v1/stores", token: store.server.adminToken,
            ["store": "acme-store", "operator-id": "acme-brand"])
        let brandQueries: [[String]] = [
            ["model", "series=16", "brand-id=acme-brand", "model=my-pi3"],
            ["serial", "brand-id=acme-brand", "model=my-pi3", "serial=S-1"],
            ["validation-set", "series=16", "account-id=acme-brand", "name=fleet", "sequence=1"],
            ["store", "store=acme-store"],
        ]
        for query in queries + brandQueries {
            let result = try store.snap(["known", "--remote"] + query, in: folder)
            #expect(result.status == 0, "\(query): \(result.output)")
            #expect(result.output.hasPrefix("type: \(query[0])\n"), "\(query): \(result.output)")
        }
        let missing = try store.snap(["known", "--remote", "account", "account-id=nosuch"], in: folder)
        #expect(missing.output.contains("not found"), "\(missing.output)")
    }
}

extension ServerProcess {
    /// The key id the store signs with, from its data folder.
    var storeKeyID: String {
        let text = (try? String(contentsOfFile: data + "/store-account-key.assert", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").first { $0.hasPrefix("public-key-sha3-384: ") }
            .map { String($0.dropFirst("public-key-sha3-384: ".count)) } ?? ""
    }
}
