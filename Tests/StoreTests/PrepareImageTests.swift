import Foundation
import TestSupport
import Testing

/// snapd's own `snap prepare-image` and `snapdepot image build` seed the same model from the same
/// store: same snaps, same revisions, and both seeds load in snapd's seed package.
@Suite(
    .serialized,
    .enabled(if: SnapdSource.snapCLI != nil && SnapdSource.available, "needs snapd's snap CLI: run scripts/test"))
struct PrepareImageTests {
    @Test func prepareImageAndImageBuildSeedTheSameClassicModel() async throws {
        let store = try await SnapdClientTests.seeded()
        defer {
            store.server.stop()
            store.fixture.cleanUp()
        }
        let folder = store.fixture.folder
        let keys = folder.appendingPathComponent("keys").path
        func run(_ arguments: [String]) throws -> CommandResult {
            let result = try store.snapdepot(arguments)
            try #require(result.status == 0, "\(arguments): \(result.output)")
            return result
        }
        let core = try store.fixture.packSnap("core", architectures: ["amd64"], extraYAML: "type: os\n")
        _ = try run(["register", "core", "--publisher", "acme-brand"])
        _ = try run(["upload", core, "--release", "stable"])
        _ = try run(["key", "create", "brand", "--bits", "2048", "--keys", keys])
        _ = try run(["accounts", "register-key", "acme-brand", "brand", "--keys", keys])
        let headers = try run([
            "model", "create", "my-classic", "--brand", "acme-brand", "--architecture", "amd64", "--classic",
            "--required-snap", "hello-depot",
        ]).output
        let headersFile = folder.appendingPathComponent("my-classic.yaml")
        try Data(headers.utf8).write(to: headersFile)
        let model = folder.appendingPathComponent("my-classic.model")
        try Data(try run(["model", "sign", headersFile.path, "--key", "brand", "--keys", keys]).output.utf8)
            .write(to: model)

        let bySnapd = folder.appendingPathComponent("by-snapd")
        let prepared = try store.snap(
            ["prepare-image", "--classic", "--arch=amd64", model.path, bySnapd.path], in: folder)
        try #require(prepared.status == 0, "\(prepared.output)")
        let byDepot = folder.appendingPathComponent("by-snapdepot")
        _ = try run(["image", "build", model.path, "--classic", "--output", byDepot.path])

        let roots = try #require(
            try (try await store.server.request(.GET, "/admin/v1/trust", token: store.server.adminToken)).json()[
                "trusted"] as? String)
        let rootsFile = folder.appendingPathComponent("root.assert")
        try Data(roots.utf8).write(to: rootsFile)
        var loaded: [String] = []
        for output in [bySnapd, byDepot] {
            let seed = output.appendingPathComponent("var/lib/snapd/seed")
            let files = try FileManager.default.contentsOfDirectory(atPath: seed.appendingPathComponent("snaps").path)
            #expect(files.sorted() == ["core_1.snap", "hello-depot_1.snap"], "\(output.lastPathComponent): \(files)")
            let result = try SnapdSource.runChecker(["seed-load", rootsFile.path, seed.path])
            #expect(result.status == 0, "\(output.lastPathComponent): \(result.output)")
            loaded.append(result.output)
        }
        #expect(loaded[0] == loaded[1], "snapd's seed package sees the same seed in both")
    }

    @Test func prepareImageAndImageBuildSeedTheSameCoreModel() async throws {
        let store = try await SnapdClientTests.seeded()
        defer {
            store.server.stop()
            store.fixture.cleanUp()
        }
        let folder = store.fixture.folder
        let keys = folder.appendingPathComponent("keys").path
        func run(_ arguments: [String]) throws -> CommandResult {
            let result = try store.snapdepot(arguments)
            try #require(result.status == 0, "\(arguments): \(result.output)")
            return result
        }
        let snaps: [(name: String, yaml: String, files: [String: String])] = [
            ("core", "type: os\n", [:]),
            ("pi2-kernel", "type: kernel\n", ["kernel.img": "kernel", "initrd.img": "initrd", "dtbs/pi.dtb": "dtb"]),
            ("pi3", "type: gadget\n", ["meta/gadget.yaml": ImageBuildTests.gadgetYAML, "uboot.conf": ""]),
        ]
        for snap in snaps {
            let source = folder.appendingPathComponent("src-\(snap.name)")
            try FileManager.default.createDirectory(
                at: source.appendingPathComponent("meta"), withIntermediateDirectories: true)
            try FileManager.default.createDirectory(
                at: source.appendingPathComponent("dtbs"), withIntermediateDirectories: true)
            try Data(
                "name: \(snap.name)\nversion: '1.0'\nsummary: s\ndescription: d\narchitectures: [amd64]\n\(snap.yaml)"
                    .utf8
            ).write(to: source.appendingPathComponent("meta/snap.yaml"))
            for (path, text) in snap.files { try Data(text.utf8).write(to: source.appendingPathComponent(path)) }
            let file = folder.appendingPathComponent("\(snap.name).snap").path
            _ = try run(["pack", source.path, "--output", file])
            _ = try run(["register", snap.name, "--publisher", "acme-brand"])
            _ = try run(["upload", file, "--release", "stable"])
        }
        _ = try run(["key", "create", "brand", "--bits", "2048", "--keys", keys])
        _ = try run(["accounts", "register-key", "acme-brand", "brand", "--keys", keys])
        let headers = try run([
            "model", "create", "my-pi3", "--brand", "acme-brand", "--architecture", "amd64", "--gadget", "pi3",
            "--kernel", "pi2-kernel", "--required-snap", "hello-depot",
        ]).output
        let headersFile = folder.appendingPathComponent("my-pi3.yaml")
        try Data(headers.utf8).write(to: headersFile)
        let model = folder.appendingPathComponent("my-pi3.model")
        try Data(try run(["model", "sign", headersFile.path, "--key", "brand", "--keys", keys]).output.utf8)
            .write(to: model)

        let bySnapd = folder.appendingPathComponent("by-snapd")
        let prepared = try store.snap(["prepare-image", model.path, bySnapd.path], in: folder)
        try #require(prepared.status == 0, "\(prepared.output)")
        let byDepot = folder.appendingPathComponent("by-snapdepot")
        _ = try run(["image", "build", model.path, "--output", byDepot.path])

        let roots = try #require(
            try (try await store.server.request(.GET, "/admin/v1/trust", token: store.server.adminToken)).json()[
                "trusted"] as? String)
        let rootsFile = folder.appendingPathComponent("root.assert")
        try Data(roots.utf8).write(to: rootsFile)
        var loaded: [String] = []
        for output in [bySnapd, byDepot] {
            let seed = output.appendingPathComponent("image/var/lib/snapd/seed")
            let files = try FileManager.default.contentsOfDirectory(atPath: seed.appendingPathComponent("snaps").path)
            #expect(
                files.sorted() == ["core_1.snap", "hello-depot_1.snap", "pi2-kernel_1.snap", "pi3_1.snap"],
                "\(output.lastPathComponent): \(files)")
            let result = try SnapdSource.runChecker(["seed-load", rootsFile.path, seed.path])
            #expect(result.status == 0, "\(output.lastPathComponent): \(result.output)")
            loaded.append(result.output)
        }
        #expect(loaded[0] == loaded[1], "snapd's seed package sees the same seed in both")
    }
}
