import Foundation
import StoreTestSupport
import TestSupport
import Testing

/// `snapdepot export` and `import` between two stores, as a team carries a store's content into an
/// air-gapped one: snapd's own `snap download` takes from the second store what the first served,
/// and a damaged, truncated or untrusted bundle changes nothing.
@Suite(
    .serialized,
    .enabled(if: SnapdSource.snapCLI != nil && SnapdSource.available, "needs snapd's snap CLI: run scripts/test"))
struct BundleTests {
    typealias Store = SnapdClientTests.Store

    static func trusted(_ server: ServerProcess) async throws -> String {
        let answer = try await server.request(.GET, "/admin/v1/trust").json()
        return answer["trusted"] as? String ?? ""
    }

    /// The channel map as a person compares two: track/risk/architecture → revision.
    static func channels(_ server: ServerProcess) async throws -> [String: Int] {
        let status = try await server.request(.GET, "/admin/v1/snaps/hello-depot/status", token: server.adminToken)
        let rows = try status.json()["rows"] as? [[String: Any]] ?? []
        var map: [String: Int] = [:]
        for row in rows {
            guard let revision = row["revision"] as? Int, row["following"] as? Bool != true else { continue }
            map["\(row["track"] ?? "")/\(row["risk"] ?? "") \(row["architecture"] ?? "")"] = revision
        }
        return map
    }

    @Test func aBundleCarriesSnapsToAnotherStoreThatSnapdThenTrusts() async throws {
        let source = try await SnapdClientTests.seeded()
        defer {
            source.server.stop()
            source.fixture.cleanUp()
        }
        let lab = Store(
            fixture: source.fixture,
            server: try ServerProcess(data: source.fixture.folder.appendingPathComponent("lab").path))
        defer { lab.server.stop() }
        let bundle = source.fixture.folder.appendingPathComponent("hello.tar")
        let exported = try source.snapdepot(["export", "--snap", "hello-depot", "--output", bundle.path])
        try #require(exported.status == 0, "\(exported.output)")
        #expect(exported.output.contains("exported 3 revisions of hello-depot"), "\(exported.output)")

        // Damage: one byte of a snap inside the bundle, then a bundle cut in half.
        var bytes = [UInt8](try Data(contentsOf: bundle))
        let squashfs = try #require(
            (0..<(bytes.count - 4)).first { bytes[$0..<($0 + 4)].elementsEqual("hsqs".utf8) },
            "the bundle holds a squashfs image")
        bytes[squashfs + 200] ^= 0x01
        let damaged = source.fixture.folder.appendingPathComponent("damaged.tar")
        try Data(bytes).write(to: damaged)
        let cut = source.fixture.folder.appendingPathComponent("cut.tar")
        try Data(try Data(contentsOf: bundle).prefix(bytes.count / 2)).write(to: cut)
        let labRoot = source.fixture.folder.appendingPathComponent("lab-root.assert")
        try Data(try await Self.trusted(lab.server).utf8).write(to: labRoot)
        for (arguments, reason) in [
            ([damaged.path, "--trust", labRoot.path], "is damaged"),
            ([cut.path], "not a whole bundle"),
            ([bundle.path], "which this store does not trust"),
            ([bundle.path, "--trust", labRoot.path], "is not the root"),
        ] {
            let refused = try lab.snapdepot(["import"] + arguments)
            #expect(refused.status != 0 && refused.output.contains(reason), "\(arguments): \(refused.output)")
        }
        let untouched = try await lab.server.request(
            .GET, "/admin/v1/snaps/hello-depot/status", token: lab.server.adminToken)
        #expect(untouched.status == 404, "nothing was imported: \(untouched.text)")
        let trust = try await lab.server.request(.GET, "/admin/v1/trust").json()
        #expect(trust["imports-trusted"] as? String == "", "no root was trusted")

        let sourceRoot = source.fixture.folder.appendingPathComponent("testrootorg.assert")
        try Data(try await Self.trusted(source.server).utf8).write(to: sourceRoot)
        let imported = try lab.snapdepot(["import", bundle.path, "--trust", sourceRoot.path])
        try #require(imported.status == 0, "\(imported.output)")
        #expect(imported.output.contains("now trusting the root testrootorg"), "\(imported.output)")

        // The same snap: its id, its revisions' channels, and its assertions byte for byte.
        let sourceChannels = try await Self.channels(source.server)
        #expect(sourceChannels.count == 3, "\(sourceChannels)")
        #expect(try await Self.channels(lab.server) == sourceChannels)
        let revisions = try await source.server.request(
            .GET, "/admin/v1/snaps/hello-depot/revisions", token: source.server.adminToken)
        let records = try #require(try JSONSerialization.jsonObject(with: revisions.body) as? [[String: Any]])
        let snapID = try #require(records.first?["snap-id"] as? String)
        var paths = ["/v2/assertions/snap-declaration/16/\(snapID)", "/v2/assertions/account/acme-brand"]
        for record in records {
            let hex = try #require(record["sha3-384"] as? String)
            let digest = stride(from: 0, to: hex.count, by: 2).compactMap { offset -> UInt8? in
                let start = hex.index(hex.startIndex, offsetBy: offset)
                return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16)
            }
            let base64 = Data(digest).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            paths.append("/v2/assertions/snap-revision/\(base64)")
        }
        for path in paths {
            let original = try await source.server.request(
                .GET, path, headers: ["Accept": "application/x.ubuntu.assertion"])
            let copy = try await lab.server.request(.GET, path, headers: ["Accept": "application/x.ubuntu.assertion"])
            #expect(original.status == 200 && copy.body == original.body, "\(path): \(copy.status) \(copy.text)")
        }

        // snapd's own client downloads from the second store and verifies the whole chain.
        for (channel, revision) in [("stable", 1), ("beta", 2), ("2.0/edge", 3)] {
            let target = try makeTemporaryDirectory("lab-download")
            defer { try? FileManager.default.removeItem(at: target) }
            let downloaded = try lab.snap(
                ["download", "hello-depot", "--channel=\(channel)", "--target-directory", target.path], in: target)
            #expect(downloaded.status == 0, "\(channel): \(downloaded.output)")
            #expect(
                FileManager.default.fileExists(
                    atPath: target.appendingPathComponent("hello-depot_\(revision).snap").path),
                "\(channel): \(downloaded.output)")
        }

        let again = try lab.snapdepot(["import", bundle.path])
        #expect(again.status == 0 && again.output.contains("imported 0 revisions"), "\(again.output)")
        #expect(try await Self.channels(lab.server) == sourceChannels)
    }

    /// `export --model`: what an image of the model needs, and the model with its brand's chain;
    /// the air-gapped store then builds the image, and snapd's seed package loads it.
    @Test func aModelsBundleLetsTheOtherStoreBuildItsImage() async throws {
        let world = try await ImageBuildTests.world()
        defer {
            world.store.server.stop()
            world.store.fixture.cleanUp()
        }
        typealias StandIn = ImageFixtures.StandIn
        try world.publish([
            StandIn(name: "core", yaml: "type: os\n"),
            StandIn(name: "pi2-kernel", yaml: "type: kernel\n"),
            StandIn(
                name: "pi3", yaml: "type: gadget\n",
                files: ["meta/gadget.yaml": ImageFixtures.gadgetYAML, "uboot.conf": ""]),
            StandIn(name: "myawesomesnap"), StandIn(name: "unrelated"),
        ])
        let (_, modelFile) = try world.signedModel(
            "my-pi3", ["--gadget", "pi3", "--kernel", "pi2-kernel", "--required-snap", "myawesomesnap"])
        let bundle = world.folder.appendingPathComponent("my-pi3.tar")
        try world.run(["export", "--model", modelFile.path, "--output", bundle.path])

        let lab = SnapdClientTests.Store(
            fixture: world.store.fixture,
            server: try ServerProcess(
                data: world.folder.appendingPathComponent("lab").path, extraArguments: ["--authority-id", "lab"]))
        defer { lab.server.stop() }
        let roots = try await world.rootsFile()
        let imported = try lab.snapdepot(["import", bundle.path, "--trust", roots.path])
        try #require(imported.status == 0, "\(imported.output)")
        #expect(
            imported.output.contains("imported 4 revisions of core, pi2-kernel, pi3, myawesomesnap"),
            "\(imported.output)")
        let unrelated = try await lab.server.request(
            .GET, "/admin/v1/snaps/unrelated/status", token: lab.server.adminToken)
        #expect(unrelated.status == 404, "only what the model needs")
        let model = try await lab.server.request(.GET, "/v2/assertions/model/16/acme-brand/my-pi3")
        let signed = try Data(contentsOf: modelFile)
        #expect(model.status == 200 && model.body == signed, "the model, byte for byte")

        let output = world.folder.appendingPathComponent("lab-image")
        let built = try lab.snapdepot([
            "image", "build", modelFile.path, "--output", output.path, "--trusted", roots.path,
        ])
        try #require(built.status == 0, "\(built.output)")
        let loaded = try await world.loadSeed(output.appendingPathComponent("image/var/lib/snapd/seed"))
        #expect(loaded.contains("essential pi3 1 gadget") && loaded.contains("snap myawesomesnap 1"), "\(loaded)")
    }
}
