import Foundation
import StoreTestSupport
import TestSupport
import Testing

/// docs/workshop.md, run as written: every `sh` block of its steps, in order, against a fresh store
/// from a folder holding this repository's seed-data/, so that the guide cannot drift from the
/// commands. Each step's telling output is checked as a reader would check it.
@Suite(.enabled(if: SnapdSource.available, "needs snapd's source: run scripts/test"))
struct WorkshopGuideTests {
    @Test func theWorkshopRunsAsWritten() async throws {
        let blocks = try DocumentBlocks.blocks(of: "docs/workshop.md", section: "The steps")
        try #require(blocks.count == 16, "expected the guide's sixteen blocks, found \(blocks.count)")
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let server = try ServerProcess(data: fixture.folder.appendingPathComponent("workshop-data").path)
        defer { server.stop() }
        let work = fixture.folder.appendingPathComponent("workshop")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: work.appendingPathComponent("seed-data"), withDestinationURL: SeedDataTests.seedData)
        let environment = [
            "PATH": ServerProcess.binary.deletingLastPathComponent().path + ":/usr/bin:/bin",
            "HOME": fixture.folder.appendingPathComponent("home").path, "SNAPDEPOT_URL": server.url,
            "SNAPDEPOT_TOKEN": server.adminToken,
        ]
        // What a block must show, found by a command it holds.
        let shows: [(String, [String])] = [
            ("typo-architecture.yaml", ["architecture armfh is not one snapd builds for", "did you mean armhf?"]),
            (
                "typo-snap.yaml",
                ["myawesomesnp (the model's required snap) is not in the store", "did you mean myawesomesnap?"]
            ),
            (
                "snapdepot accounts create tinkerer",
                ["is published by tinkerer", "must come from its brand (acme-brand) or from Canonical"]
            ),
            ("snapdepot vault add-key", ["20 acme-brand/my-pi3 devices flashed", "20 devices"]),
            ("for device in factory/device-*; do snapdepot agent boot", ["myawesomesnap", "pi2-kernel"]),
            ("snapdepot release myawesomesnap 2 stable --progressive 10", ["→ 2 at 10%"]),
            ("--progressive 50 --halt-at 1", ["halted", "failed with revision 3", "check-health"]),
            ("rollout abort", ["20 of 20 devices run myawesomesnap 1.3"]),
            ("snapdepot accounts create clockworks", ["acme-clock"]),
        ]
        for (number, block) in blocks.enumerated() {
            let (status, text) = try DocumentBlocks.run(block, in: work, environment: environment)
            try #require(status == 0, "block \(number) failed:\n\(block)\n\(text)")
            for (start, phrases) in shows where block.contains(start) {
                for phrase in phrases {
                    #expect(text.contains(phrase), "block \(number) should show \(phrase):\n\(text)")
                }
            }
        }
        // Nothing the exercises tried was signed or imported: the store holds the one model.
        let model = try await server.request(.GET, "/v2/assertions/model/16/acme-brand/my-pi3")
        #expect(model.status == 200 && model.text.contains("kernel: pi2-kernel"), "\(model.text)")
        let typo = (try? Data(contentsOf: work.appendingPathComponent("typo.model"))) ?? Data()
        #expect(typo.isEmpty, "a model with a mistake was signed")
        let reply = try await server.request(
            .GET, "/admin/v1/devices?brand=acme-brand&model=my-pi3", token: server.adminToken)
        let devices = try #require(try JSONSerialization.jsonObject(with: reply.body) as? [[String: Any]])
        #expect(Set(devices.compactMap { $0["serial"] as? String }).count == 20, "\(reply.text)")
    }
}
