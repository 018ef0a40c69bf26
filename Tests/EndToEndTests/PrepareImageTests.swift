import Foundation
import TestSupport
import Testing
import Yams

/// snapd's own `snap prepare-image` and `snapdepot image build` seed the same model from the same
/// store: same snaps, same revisions, and snapd's seed package sees the same seed in both.
@Suite(
    .serialized,
    .enabled(if: SnapdSource.snapCLI != nil && SnapdSource.available, "needs snapd's snap CLI: run scripts/test"))
struct PrepareImageTests {
    typealias StandIn = ImageFixtures.StandIn

    /// Runs both tools on one model and compares what they wrote; `seedPath` is where the seed lands in OUTPUT.
    private func compare(
        _ world: ImageFixtures, model: URL, snapdOptions: [String], depotOptions: [String], seedPath: String,
        expected: [String]
    ) async throws {
        let bySnapd = world.folder.appendingPathComponent("by-snapd")
        let prepared = try world.store.snap(
            ["prepare-image"] + snapdOptions + [model.path, bySnapd.path], in: world.folder)
        try #require(prepared.status == 0, "\(prepared.output)")
        let byDepot = world.folder.appendingPathComponent("by-snapdepot")
        try world.run(["image", "build", model.path, "--output", byDepot.path] + depotOptions)
        var loaded: [String] = []
        for output in [bySnapd, byDepot] {
            let seed = output.appendingPathComponent(seedPath)
            let files = try FileManager.default.contentsOfDirectory(atPath: seed.appendingPathComponent("snaps").path)
            #expect(files.sorted() == expected, "\(output.lastPathComponent): \(files)")
            loaded.append(try await world.loadSeed(seed))
        }
        #expect(loaded[0] == loaded[1], "snapd's seed package sees the same seed in both")
    }

    private func world() async throws -> ImageFixtures {
        let world = ImageFixtures(store: try await SnapdClientTests.seeded())
        try world.registerBrandKey()
        return world
    }

    @Test func theSameClassicSeed() async throws {
        let world = try await world()
        defer {
            world.store.server.stop()
            world.store.fixture.cleanUp()
        }
        try world.publish([StandIn(name: "core", yaml: "type: os\n")])
        let model = try world.signedModel("my-classic", ["--classic", "--required-snap", "hello-depot"]).file
        try await compare(
            world, model: model, snapdOptions: ["--classic", "--arch=amd64"], depotOptions: ["--classic"],
            seedPath: "var/lib/snapd/seed", expected: ["core_1.snap", "hello-depot_1.snap"])
    }

    @Test func theSameSeries16CoreSeed() async throws {
        let world = try await world()
        defer {
            world.store.server.stop()
            world.store.fixture.cleanUp()
        }
        try world.publish([
            StandIn(name: "core", yaml: "type: os\n"),
            StandIn(
                name: "pi2-kernel", yaml: "type: kernel\n",
                files: ["kernel.img": "kernel", "initrd.img": "initrd", "dtbs/pi.dtb": "dtb"]),
            StandIn(
                name: "pi3", yaml: "type: gadget\n",
                files: ["meta/gadget.yaml": ImageFixtures.gadgetYAML, "uboot.conf": ""]),
        ])
        let model = try world.signedModel(
            "my-pi3", ["--gadget", "pi3", "--kernel", "pi2-kernel", "--required-snap", "hello-depot"]
        ).file
        try await compare(
            world, model: model, snapdOptions: [], depotOptions: [], seedPath: "image/var/lib/snapd/seed",
            expected: ["core_1.snap", "hello-depot_1.snap", "pi2-kernel_1.snap", "pi3_1.snap"])
    }

    @Test func theSameUC20Seed() async throws {
        let world = try await world()
        defer {
            world.store.server.stop()
            world.store.fixture.cleanUp()
        }
        try world.publish(ImageFixtures.uc20Snaps)
        let model = try world.signedModel(
            "my-uc22",
            [
                "--gadget", "pc", "--kernel", "pc-kernel", "--base", "core22", "--grade", "signed", "--required-snap",
                "myawesomesnap",
            ]
        ).file
        try await compare(
            world, model: model, snapdOptions: [], depotOptions: [], seedPath: "system-seed",
            expected: ["core22_1.snap", "myawesomesnap_1.snap", "pc-kernel_1.snap", "pc_1.snap", "snapd_1.snap"])
    }

    /// Grade dangerous: `--snap` adds snaps the model does not name (kept in the recovery system's
    /// own `snaps/`) and moves a model snap to another channel, both recorded in `options.yaml`.
    @Test func theSameDangerousUC20SeedWithExtraSnaps() async throws {
        let world = try await world()
        defer {
            world.store.server.stop()
            world.store.fixture.cleanUp()
        }
        try world.publish(
            ImageFixtures.uc20Snaps + [StandIn(name: "mysecondawesomesnap", yaml: "base: core22\n", channel: "beta")])
        let model = try world.signedModel(
            "my-uc22-dev",
            [
                "--gadget", "pc", "--kernel", "pc-kernel", "--base", "core22", "--grade", "dangerous",
                "--required-snap", "myawesomesnap",
            ]
        ).file
        let extras = ["--snap", "mysecondawesomesnap=beta", "--snap", "myawesomesnap=edge"]
        let tar = world.folder.appendingPathComponent("dangerous.tar").path
        try await compare(
            world, model: model, snapdOptions: extras, depotOptions: extras + ["--tar", tar], seedPath: "system-seed",
            expected: ["core22_1.snap", "myawesomesnap_1.snap", "pc-kernel_1.snap", "pc_1.snap", "snapd_1.snap"])
        var options: [[[String: String]]] = []
        for tool in ["by-snapd", "by-snapdepot"] {
            let systems = world.folder.appendingPathComponent("\(tool)/system-seed/systems")
            let label = try #require(try FileManager.default.contentsOfDirectory(atPath: systems.path).first)
            let system = systems.appendingPathComponent(label)
            let extra = try FileManager.default.contentsOfDirectory(atPath: system.appendingPathComponent("snaps").path)
            #expect(extra == ["mysecondawesomesnap_1.snap"], "\(tool): \(extra)")
            let text = try String(contentsOf: system.appendingPathComponent("options.yaml"), encoding: .utf8)
            let parsed = try #require(try Yams.load(yaml: text) as? [String: Any], "\(tool): \(text)")
            options.append((parsed["snaps"] as? [[String: String]]) ?? [])
        }
        #expect(options[0] == options[1], "options.yaml: \(options)")
        #expect(options[1].map { $0["channel"] } == ["latest/edge", "latest/beta"], "\(options[1])")

        // Flashed devices get the extra snap too, on the channel options.yaml gives it.
        try world.run(["assertions", "import", model.path])
        try world.run(["vault", "add-key", "brand", "--account", "acme-brand", "--keys", world.keys])
        let devices = world.folder.appendingPathComponent("devices")
        try world.run(["factory", "flash", tar, "--devices", "2", "--out", devices.path, "--key-bits", "1024"])
        let state = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: devices.appendingPathComponent("device-0002/device.json"))) as? [String: Any])
        let seeded = (state["snaps"] as? [[String: Any]]) ?? []
        let channels = Dictionary(
            seeded.map { ($0["name"] as? String ?? "", $0["channel"] as? String ?? "") },
            uniquingKeysWith: { a, _ in a })
        #expect(channels["mysecondawesomesnap"] == "latest/beta" && channels["myawesomesnap"] == "latest/edge")
        #expect(seeded.count == 6, "\(seeded)")
        for snap in seeded {
            let file = try #require(snap["file"] as? String)
            #expect(FileManager.default.fileExists(atPath: devices.appendingPathComponent("device-0002/\(file)").path))
        }
        let installed = try FileManager.default.contentsOfDirectory(
            atPath: devices.appendingPathComponent("device-0002/snaps").path)
        #expect(installed.contains("mysecondawesomesnap_1.snap"), "\(installed)")

        // Above grade dangerous, snapd's own refusal.
        let signed = try world.signedModel(
            "my-uc22-signed",
            [
                "--gadget", "pc", "--kernel", "pc-kernel", "--base", "core22", "--grade", "signed",
                "--required-snap", "myawesomesnap",
            ]
        ).file
        let refused = try world.store.snapdepot(
            ["image", "build", signed.path, "--output", world.folder.appendingPathComponent("signed").path] + extras)
        #expect(refused.status != 0 && refused.output.contains("grade higher than dangerous"), "\(refused.output)")
    }
}
