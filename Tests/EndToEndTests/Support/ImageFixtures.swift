import Foundation
import TestSupport
import Testing

/// The production model's world in small: stand-in snaps of every type published to a running
/// store, a brand key registered with it, models signed with that key.
struct ImageFixtures {
    let store: SnapdClientTests.Store
    var folder: URL { store.fixture.folder }
    var keys: String { folder.appendingPathComponent("keys").path }

    struct StandIn {
        var name: String
        var yaml: String = ""
        var files: [String: String] = [:]
        var channel: String = "stable"
        var publisher: String = "acme-brand"
    }

    /// A u-boot gadget for series-16 models.
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

    /// A UC20+ pc gadget: the partition roles snapd's image code looks for.
    static let uc20GadgetYAML = """
        volumes:
          pc:
            schema: gpt
            bootloader: grub
            structure:
              - name: ubuntu-seed
                role: system-seed
                filesystem: vfat
                type: EF,C12A7328-F81F-11D2-BA4B-00A0C93EC93B
                size: 1200M
              - name: ubuntu-boot
                role: system-boot
                filesystem: ext4
                type: 83,0FC63DAF-8483-4772-8E79-3D69D8477DE4
                size: 750M
              - name: ubuntu-save
                role: system-save
                filesystem: ext4
                type: 83,0FC63DAF-8483-4772-8E79-3D69D8477DE4
                size: 16M
              - name: ubuntu-data
                role: system-data
                filesystem: ext4
                type: 83,0FC63DAF-8483-4772-8E79-3D69D8477DE4
                size: 1G
        """

    /// The UC20+ device: snapd, core22, a kernel, a grub gadget and one app.
    static let uc20Snaps: [StandIn] = [
        StandIn(name: "snapd", yaml: "type: snapd\n"),
        StandIn(name: "core22", yaml: "type: base\n"),
        StandIn(name: "pc-kernel", yaml: "type: kernel\n"),
        StandIn(
            name: "pc", yaml: "type: gadget\nbase: core22\n",
            files: ["meta/gadget.yaml": uc20GadgetYAML, "grub.conf": ""]),
        StandIn(name: "myawesomesnap", yaml: "base: core22\n"),
    ]

    @discardableResult
    func run(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> CommandResult {
        let result = try store.snapdepot(arguments)
        try #require(result.status == 0, "\(arguments): \(result.output)", sourceLocation: sourceLocation)
        return result
    }

    /// Packs, registers, uploads and releases each stand-in (amd64).
    func publish(_ snaps: [StandIn]) throws {
        for snap in snaps {
            let source = folder.appendingPathComponent("src-\(snap.name)")
            for path in ["meta", "dtbs"] {
                try FileManager.default.createDirectory(
                    at: source.appendingPathComponent(path), withIntermediateDirectories: true)
            }
            try Data(
                "name: \(snap.name)\nversion: '1.0'\nsummary: s\ndescription: d\narchitectures: [amd64]\n\(snap.yaml)"
                    .utf8
            ).write(to: source.appendingPathComponent("meta/snap.yaml"))
            for (path, text) in snap.files { try Data(text.utf8).write(to: source.appendingPathComponent(path)) }
            let file = folder.appendingPathComponent("\(snap.name).snap").path
            try run(["pack", source.path, "--output", file])
            try run(["register", snap.name, "--publisher", snap.publisher])
            try run(["upload", file, "--release", snap.channel])
        }
    }

    /// A 2048-bit brand key, registered for acme-brand.
    func registerBrandKey() throws {
        try run(["key", "create", "brand", "--bits", "2048", "--keys", keys])
        try run(["key", "register", "brand", "--account", "acme-brand", "--keys", keys])
    }

    /// `model create ARGUMENTS` for acme-brand on amd64, signed by `model sign` (`--offline`: without
    /// its checks against the store): the headers and the model file.
    func signedModel(_ name: String, _ arguments: [String], offline: Bool = false) throws -> (
        headers: String, file: URL
    ) {
        let headers = try run(
            ["model", "create", name, "--brand", "acme-brand", "--architecture", "amd64"] + arguments
        ).output
        let headersFile = folder.appendingPathComponent("\(name).yaml")
        try Data(headers.utf8).write(to: headersFile)
        let file = folder.appendingPathComponent("\(name).model")
        let sign =
            ["model", "sign", headersFile.path, "--key", "brand", "--keys", keys] + (offline ? ["--offline"] : [])
        try Data(try run(sign).output.utf8)
            .write(to: file)
        return (headers, file)
    }

    /// The store's root assertions, as a file for snapd's seed package to trust.
    func rootsFile() async throws -> URL {
        let answer = try await store.server.request(.GET, "/admin/v1/trust", token: store.server.adminToken)
        let file = folder.appendingPathComponent("root.assert")
        try Data(try #require(try answer.json()["trusted"] as? String).utf8).write(to: file)
        return file
    }

    /// What snapd's seed package sees in a seed, one line per snap; the load must succeed.
    func loadSeed(_ seed: URL, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let result = try SnapdSource.runChecker(["seed-load", try await rootsFile().path, seed.path])
        #expect(result.status == 0, "\(seed.path): \(result.output)", sourceLocation: sourceLocation)
        return result.output
    }
}
