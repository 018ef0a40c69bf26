import Assertions
import Foundation
import TestSupport
import Testing

/// `snapdepot image build`: the seed of the workshop's model, from a running store, loaded by
/// snapd's own seed package as a device's first boot loads it.
@Suite(.enabled(if: SnapdSource.available, "needs the Go checker: run scripts/test"))
struct ImageBuildTests {
    static let gadgetYAML = """
        volumes:
          pi:
            schema: mbr
            bootloader: u-boot
            structure:
              - type: 0C
                filesystem: vfat
                filesystem-label: system-boot
                size: 128M
        """

    @Test func seedsTheModelAndSnapdLoadsTheSeed() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let server = try ServerProcess(data: fixture.folder.appendingPathComponent("served").path)
        defer { server.stop() }
        let store = SnapdClientTests.Store(fixture: fixture, server: server)
        let folder = fixture.folder
        let keys = folder.appendingPathComponent("keys").path
        func run(_ arguments: [String]) throws -> CommandResult {
            let result = try store.snapdepot(arguments)
            try #require(result.status == 0, "\(arguments): \(result.output)")
            return result
        }
        _ = try run(["accounts", "create", "acme", "--id", "acme-brand", "--validation", "verified"])
        _ = try run(["key", "create", "brand", "--bits", "2048", "--keys", keys])
        _ = try run(["accounts", "register-key", "acme-brand", "brand", "--keys", keys])
        _ = try run(["accounts", "create", "rival", "--id", "rival"])
        let snaps: [(name: String, yaml: String, files: [String: String], channel: String, publisher: String)] = [
            ("core", "type: os\n", [:], "stable", "acme-brand"),
            ("pi2-kernel", "type: kernel\n", [:], "stable", "acme-brand"),
            ("pi3", "type: gadget\n", ["meta/gadget.yaml": Self.gadgetYAML, "uboot.conf": ""], "stable", "acme-brand"),
            ("myawesomesnap", "", [:], "stable", "acme-brand"),
            ("mysecondawesomesnap", "", [:], "beta", "acme-brand"),
            ("bare-gadget", "type: gadget\n", ["meta/gadget.yaml": Self.gadgetYAML], "stable", "acme-brand"),
            ("rival-kernel", "type: kernel\n", [:], "stable", "rival"),
        ]
        for snap in snaps {
            let source = folder.appendingPathComponent("src-\(snap.name)")
            try FileManager.default.createDirectory(
                at: source.appendingPathComponent("meta"), withIntermediateDirectories: true)
            try Data(
                "name: \(snap.name)\nversion: '1.0'\nsummary: s\ndescription: d\narchitectures: [amd64]\n\(snap.yaml)"
                    .utf8
            ).write(to: source.appendingPathComponent("meta/snap.yaml"))
            for (path, text) in snap.files { try Data(text.utf8).write(to: source.appendingPathComponent(path)) }
            let file = folder.appendingPathComponent("\(snap.name).snap").path
            _ = try run(["pack", source.path, "--output", file])
            _ = try run(["register", snap.name, "--publisher", snap.publisher])
            _ = try run(["upload", file, "--release", snap.channel])
        }
        let headers = try run([
            "model", "create", "my-pi3", "--brand", "acme-brand", "--architecture", "amd64", "--gadget", "pi3",
            "--kernel", "pi2-kernel", "--required-snap", "myawesomesnap",
        ]).output
        try Data(headers.utf8).write(to: folder.appendingPathComponent("my-pi3.yaml"))
        let model = try run([
            "model", "sign", folder.appendingPathComponent("my-pi3.yaml").path, "--key", "brand", "--keys", keys,
        ]).output
        let modelFile = folder.appendingPathComponent("my-pi3.model")
        try Data(model.utf8).write(to: modelFile)

        let output = folder.appendingPathComponent("out")
        let tar = folder.appendingPathComponent("my-pi3.tar").path
        let built = try run([
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
        let trusted = try await server.request(.GET, "/admin/v1/trust", token: server.adminToken)
        let roots = try #require(try trusted.json()["trusted"] as? String)
        let rootsFile = folder.appendingPathComponent("root.assert")
        try Data(roots.utf8).write(to: rootsFile)
        let loaded = try SnapdSource.runChecker(["seed-load", rootsFile.path, seed.path])
        #expect(loaded.status == 0, "\(loaded.output)")
        #expect(loaded.output.contains("model acme-brand/my-pi3"), "\(loaded.output)")
        for line in ["essential core 1 os", "essential pi2-kernel 1 kernel", "essential pi3 1 gadget"] {
            #expect(loaded.output.contains(line), "\(loaded.output)")
        }
        #expect(loaded.output.contains("snap myawesomesnap 1"), "\(loaded.output)")
        #expect(loaded.output.contains("snap mysecondawesomesnap 1"), "\(loaded.output)")

        // snapd's rules for the boot snaps: published by the brand, and a gadget that names its bootloader.
        for (gadget, kernel, reason) in [
            (
                "pi3", "rival-kernel",
                #"cannot use kernel "rival-kernel" published by "rival" for model by "acme-brand""#
            ),
            ("bare-gadget", "pi2-kernel", "gadget bare-gadget has no bootloader marker"),
        ] {
            let variant = headers.replacingOccurrences(of: "gadget: pi3", with: "gadget: \(gadget)")
                .replacingOccurrences(of: "kernel: pi2-kernel", with: "kernel: \(kernel)")
            let variantFile = folder.appendingPathComponent("variant.yaml")
            try Data(variant.utf8).write(to: variantFile)
            let signedVariant = try run(["model", "sign", variantFile.path, "--key", "brand", "--keys", keys]).output
            try Data(signedVariant.utf8).write(to: modelFile)
            let refused = try store.snapdepot([
                "image", "build", modelFile.path, "--output", folder.appendingPathComponent("variant").path,
            ])
            #expect(refused.status != 0 && refused.output.contains(reason), "\(refused.output)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("variant").path))
        }

        // One changed byte in the model: refused with the reason, and nothing written.
        let tampered = model.replacingOccurrences(of: "model: my-pi3", with: "model: my-pi4")
        try Data(tampered.utf8).write(to: modelFile)
        let refused = try store.snapdepot([
            "image", "build", modelFile.path, "--output", folder.appendingPathComponent("bad").path,
        ])
        #expect(refused.status != 0)
        #expect(refused.output.contains("the model does not verify"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("bad/image").path))
    }

    @Test func seedsAUC20ModelInItsRecoverySystemLayout() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let server = try ServerProcess(data: fixture.folder.appendingPathComponent("served").path)
        defer { server.stop() }
        let store = SnapdClientTests.Store(fixture: fixture, server: server)
        let folder = fixture.folder
        let keys = folder.appendingPathComponent("keys").path
        func run(_ arguments: [String]) throws -> CommandResult {
            let result = try store.snapdepot(arguments)
            try #require(result.status == 0, "\(arguments): \(result.output)")
            return result
        }
        _ = try run(["accounts", "create", "acme", "--id", "acme-brand", "--validation", "verified"])
        _ = try run(["key", "create", "brand", "--bits", "2048", "--keys", keys])
        _ = try run(["accounts", "register-key", "acme-brand", "brand", "--keys", keys])
        let snaps: [(name: String, yaml: String, files: [String: String])] = [
            ("snapd", "type: snapd\n", [:]),
            ("core22", "type: base\n", [:]),
            ("pc-kernel", "type: kernel\n", [:]),
            ("pc", "type: gadget\nbase: core22\n", ["meta/gadget.yaml": Self.gadgetYAML, "grub.conf": ""]),
            ("myawesomesnap", "base: core22\n", [:]),
        ]
        for snap in snaps {
            let source = folder.appendingPathComponent("src-\(snap.name)")
            try FileManager.default.createDirectory(
                at: source.appendingPathComponent("meta"), withIntermediateDirectories: true)
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
        let headers = try run([
            "model", "create", "my-uc22", "--brand", "acme-brand", "--architecture", "amd64", "--gadget", "pc",
            "--kernel", "pc-kernel", "--base", "core22", "--grade", "signed", "--required-snap", "myawesomesnap",
        ]).output
        try Data(headers.utf8).write(to: folder.appendingPathComponent("my-uc22.yaml"))
        let model = try run([
            "model", "sign", folder.appendingPathComponent("my-uc22.yaml").path, "--key", "brand", "--keys", keys,
        ]).output
        let modelFile = folder.appendingPathComponent("my-uc22.model")
        try Data(model.utf8).write(to: modelFile)

        let extras = try store.snapdepot([
            "image", "build", modelFile.path, "--output", folder.appendingPathComponent("x").path, "--snap", "core22",
        ])
        #expect(extras.status != 0 && extras.output.contains("grade dangerous"), "\(extras.output)")

        let output = folder.appendingPathComponent("out")
        _ = try run(["image", "build", modelFile.path, "--output", output.path])
        let seed = output.appendingPathComponent("system-seed")
        let files = try FileManager.default.contentsOfDirectory(atPath: seed.appendingPathComponent("snaps").path)
        #expect(
            files.sorted() == [
                "core22_1.snap", "myawesomesnap_1.snap", "pc-kernel_1.snap", "pc_1.snap", "snapd_1.snap",
            ],
            "\(files)")
        let systems = try FileManager.default.contentsOfDirectory(atPath: seed.appendingPathComponent("systems").path)
        #expect(systems.count == 1 && systems.first?.count == 8, "one recovery system labelled by date: \(systems)")

        let trusted = try await server.request(.GET, "/admin/v1/trust", token: server.adminToken)
        let rootsFile = folder.appendingPathComponent("root.assert")
        try Data(try #require(try trusted.json()["trusted"] as? String).utf8).write(to: rootsFile)
        let loaded = try SnapdSource.runChecker(["seed-load", rootsFile.path, seed.path])
        #expect(loaded.status == 0, "\(loaded.output)")
        for line in [
            "model acme-brand/my-uc22", "essential snapd 1 snapd", "essential pc-kernel 1 kernel",
            "essential core22 1 base", "essential pc 1 gadget", "snap myawesomesnap 1",
        ] {
            #expect(loaded.output.contains(line), "\(loaded.output)")
        }
    }
}
