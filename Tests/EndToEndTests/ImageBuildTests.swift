import Foundation
import StoreTestSupport
import TestSupport
import Testing

/// `snapdepot image build`: seeds of the workshop's models from a running store, loaded by snapd's
/// own seed package as a device's first boot loads them.
@Suite(.enabled(if: SnapdSource.available, "needs the Go checker: run scripts/test"))
struct ImageBuildTests {
    typealias StandIn = ImageFixtures.StandIn

    static func world() async throws -> ImageFixtures {
        let fixture = try await StoreFixture.make()
        let server = try ServerProcess(data: fixture.folder.appendingPathComponent("served").path)
        let world = ImageFixtures(store: SnapdClientTests.Store(fixture: fixture, server: server))
        try world.run(["accounts", "create", "acme", "--id", "acme-brand", "--validation", "verified"])
        try world.registerBrandKey()
        return world
    }

    @Test func seedsTheModelAndSnapdLoadsTheSeed() async throws {
        let world = try await Self.world()
        defer {
            world.store.server.stop()
            world.store.fixture.cleanUp()
        }
        let folder = world.folder
        try world.run(["accounts", "create", "rival", "--id", "rival"])
        try world.publish([
            StandIn(name: "core", yaml: "type: os\n"),
            StandIn(name: "pi2-kernel", yaml: "type: kernel\n"),
            StandIn(
                name: "pi3", yaml: "type: gadget\n",
                files: ["meta/gadget.yaml": ImageFixtures.gadgetYAML, "uboot.conf": ""]),
            StandIn(name: "myawesomesnap"),
            StandIn(name: "mysecondawesomesnap", channel: "beta"),
            StandIn(name: "bare-gadget", yaml: "type: gadget\n", files: ["meta/gadget.yaml": ImageFixtures.gadgetYAML]),
            StandIn(name: "rival-kernel", yaml: "type: kernel\n", publisher: "rival"),
        ])
        let (headers, modelFile) = try world.signedModel(
            "my-pi3", ["--gadget", "pi3", "--kernel", "pi2-kernel", "--required-snap", "myawesomesnap"])

        let output = folder.appendingPathComponent("out")
        let tar = folder.appendingPathComponent("my-pi3.tar").path
        let built = try world.run([
            "image", "build", modelFile.path, "--output", output.path, "--snap", "mysecondawesomesnap=beta", "--tar",
            tar,
        ])
        let seed = output.appendingPathComponent("image/var/lib/snapd/seed")
        let seedYAML = try String(contentsOf: seed.appendingPathComponent("seed.yaml"), encoding: .utf8)
        for name in ["core", "pi2-kernel", "pi3", "myawesomesnap", "mysecondawesomesnap"] {
            #expect(seedYAML.contains("- name: \(name)\n"), "\(seedYAML)")
            #expect(built.output.contains(name))
        }
        #expect(seedYAML.contains("channel: beta"))
        let listing = try runCommand("tar", ["-tf", tar])
        #expect(listing.output.contains("./image/var/lib/snapd/seed/seed.yaml"), "\(listing.output)")

        // snapd's seed package, trusting only the store's root, loads and checks every snap.
        let loaded = try await world.loadSeed(seed)
        for line in [
            "model acme-brand/my-pi3", "essential core 1 os", "essential pi2-kernel 1 kernel",
            "essential pi3 1 gadget", "snap myawesomesnap 1", "snap mysecondawesomesnap 1",
        ] {
            #expect(loaded.contains(line), "\(loaded)")
        }

        // snapd's rules for the boot snaps: published by the brand, and a gadget that names its bootloader.
        for (gadget, kernel, reason) in [
            (
                "pi3", "rival-kernel",
                #"cannot use kernel "rival-kernel" published by "rival" for model by "acme-brand""#
            ),
            ("bare-gadget", "pi2-kernel", "gadget bare-gadget has no bootloader marker"),
        ] {
            // Signed without model sign's own checks (which refuse such a kernel too), so that what
            // is tested is image build's refusal.
            let variant = try world.signedModel("variant", ["--gadget", gadget, "--kernel", kernel], offline: true).file
            let refused = try world.store.snapdepot([
                "image", "build", variant.path, "--output", folder.appendingPathComponent("variant").path,
            ])
            #expect(refused.status != 0 && refused.output.contains(reason), "\(refused.output)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("variant").path))
        }

        // The architecture is the model's; the roots may be given, and must be the ones that signed.
        let wrongArch = try world.store.snapdepot([
            "image", "build", modelFile.path, "--output", folder.appendingPathComponent("armhf").path, "--arch",
            "armhf",
        ])
        #expect(wrongArch.status != 0 && wrongArch.output.contains("differs from the model's architecture amd64"))
        let ownRoots = try world.run([
            "image", "build", modelFile.path, "--output", folder.appendingPathComponent("rooted").path, "--trusted",
            try await world.rootsFile().path,
        ])
        #expect(ownRoots.output.contains("seed written to"), "\(ownRoots.output)")
        let otherRoots = try world.store.snapdepot([
            "image", "build", modelFile.path, "--output", folder.appendingPathComponent("foreign").path, "--trusted",
            world.store.fixture.directory.path + "/trusted.assert",
        ])
        #expect(
            otherRoots.status != 0 && otherRoots.output.contains("not among the trusted roots"), "\(otherRoots.output)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("foreign").path))

        // One changed byte in the model: refused with the reason, and nothing written.
        let model = try String(contentsOf: modelFile, encoding: .utf8)
        #expect(headers.contains("model: my-pi3"))
        try Data(model.replacingOccurrences(of: "model: my-pi3", with: "model: my-pi4").utf8).write(to: modelFile)
        let refused = try world.store.snapdepot([
            "image", "build", modelFile.path, "--output", folder.appendingPathComponent("bad").path,
        ])
        #expect(refused.status != 0)
        #expect(refused.output.contains("the model does not verify"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("bad").path))
    }

    @Test func seedsAUC20ModelInItsRecoverySystemLayout() async throws {
        let world = try await Self.world()
        defer {
            world.store.server.stop()
            world.store.fixture.cleanUp()
        }
        let folder = world.folder
        try world.publish(ImageFixtures.uc20Snaps)
        let modelFile = try world.signedModel(
            "my-uc22",
            [
                "--gadget", "pc", "--kernel", "pc-kernel", "--base", "core22", "--grade", "signed", "--required-snap",
                "myawesomesnap",
            ]
        ).file

        // Grade signed: another channel or a snap the model lacks is refused, as snapd refuses it.
        for extra in ["core22=edge", "mysecondawesomesnap"] {
            let extras = try world.store.snapdepot([
                "image", "build", modelFile.path, "--output", folder.appendingPathComponent("x").path, "--snap", extra,
            ])
            #expect(extras.status != 0 && extras.output.contains("grade higher than dangerous"), "\(extras.output)")
        }

        let output = folder.appendingPathComponent("out")
        try world.run(["image", "build", modelFile.path, "--output", output.path])
        let seed = output.appendingPathComponent("system-seed")
        let files = try FileManager.default.contentsOfDirectory(atPath: seed.appendingPathComponent("snaps").path)
        #expect(
            files.sorted() == [
                "core22_1.snap", "myawesomesnap_1.snap", "pc-kernel_1.snap", "pc_1.snap", "snapd_1.snap",
            ],
            "\(files)")
        let systems = try FileManager.default.contentsOfDirectory(atPath: seed.appendingPathComponent("systems").path)
        #expect(systems.count == 1 && systems.first?.count == 8, "one recovery system labelled by date: \(systems)")
        let loaded = try await world.loadSeed(seed)
        for line in [
            "model acme-brand/my-uc22", "essential snapd 1 snapd", "essential pc-kernel 1 kernel",
            "essential core22 1 base", "essential pc 1 gadget", "snap myawesomesnap 1",
        ] {
            #expect(loaded.contains(line), "\(loaded)")
        }
    }
}
