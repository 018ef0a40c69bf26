import Foundation
import StoreTestSupport
import TestSupport
import Testing

/// `snapdepot seed-data load`: the workshop's world from `seed-data/`, served, and taken through
/// the production model's image step by snapd's own tools.
@Suite(
    .serialized,
    .enabled(if: SnapdSource.snapCLI != nil && SnapdSource.available, "needs snapd's snap CLI: run scripts/test"))
struct SeedDataTests {
    static let seedData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("seed-data")

    @Test func theWorkshopWorldLoadsAndSnapdBuildsItsImages() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let data = fixture.folder.appendingPathComponent("workshop").path
        let load = [
            "seed-data", "load", "--data", data, "--seed-data", Self.seedData.path, "--testrootorg", "--key-bits",
            "2048",
        ]
        let loaded = try runCommand(ServerProcess.binary.path, load)
        try #require(loaded.status == 0, "\(loaded.output)")
        #expect(loaded.output.contains("myawesomesnap 2.0: revision 3 → edge"), "\(loaded.output)")
        let again = try runCommand(ServerProcess.binary.path, load)
        #expect(again.status == 0 && again.output.contains("nothing to load"), "\(again.output)")
        let brandKey = fixture.folder.appendingPathComponent("workshop/brand-keys/acme-models.pem")
        let mode = try FileManager.default.attributesOfItem(atPath: brandKey.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let server = try ServerProcess(data: data, extraArguments: ["--testrootorg"])
        defer { server.stop() }
        let store = SnapdClientTests.Store(fixture: fixture, server: server)
        let folder = fixture.folder
        for model in ["my-pi3", "my-pi3-amd64", "my-uc22"] {
            let known = try store.snap(
                ["known", "--remote", "model", "series=16", "brand-id=acme-brand", "model=\(model)"], in: folder)
            #expect(known.status == 0 && known.output.hasPrefix("type: model\n"), "\(model): \(known.output)")
            try Data(known.output.utf8).write(to: folder.appendingPathComponent("\(model).model"))
        }
        let status = try store.snapdepot(["status", "myawesomesnap"])
        for channel in ["stable", "candidate", "edge"] { #expect(status.output.contains(channel), "\(status.output)") }

        // The seed's my-pi3 is armhf: snapd's prepare-image fetches its snaps for armhf.
        for (model, options, expected) in [
            (
                "my-pi3", ["--arch=armhf"],
                [
                    "core_1.snap", "myawesomesnap_1.snap", "mysecondawesomesnap_1.snap", "pi2-kernel_1.snap",
                    "pi3_1.snap",
                ]
            ),
            (
                "my-uc22", [],
                [
                    "core22_1.snap", "core_1.snap", "myawesomesnap_1.snap", "pc-kernel_1.snap", "pc_1.snap",
                    "snapd_1.snap",
                ]
            ),
        ] {
            let output = folder.appendingPathComponent("prepared-\(model)")
            let prepared = try store.snap(
                ["prepare-image"] + options + [folder.appendingPathComponent("\(model).model").path, output.path],
                in: folder)
            try #require(prepared.status == 0, "\(model): \(prepared.output)")
            let seed = output.appendingPathComponent(model == "my-uc22" ? "system-seed" : "image/var/lib/snapd/seed")
            let files = try FileManager.default.contentsOfDirectory(atPath: seed.appendingPathComponent("snaps").path)
            #expect(files.sorted() == expected, "\(model): \(files)")
        }
        let built = try store.snapdepot([
            "image", "build", folder.appendingPathComponent("my-pi3-amd64.model").path, "--output",
            folder.appendingPathComponent("built").path,
        ])
        #expect(built.status == 0, "\(built.output)")
        // The amd64 twin gets the same snaps the armhf original does.
        let twin = try FileManager.default.contentsOfDirectory(
            atPath: folder.appendingPathComponent("built/image/var/lib/snapd/seed/snaps").path)
        let original = try FileManager.default.contentsOfDirectory(
            atPath: folder.appendingPathComponent("prepared-my-pi3/image/var/lib/snapd/seed/snaps").path)
        #expect(twin.sorted() == original.sorted())
    }
}
