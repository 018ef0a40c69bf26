import Foundation
import StoreTestSupport
import TestSupport
import Testing

/// docs/production-model.md's walkthrough, run as written: every `sh` block of its walkthrough
/// section, in order, against a fresh store, so that the document cannot drift from the commands.
@Suite(.enabled(if: SnapdSource.available, "needs snapd's source: run scripts/test"))
struct WalkthroughTests {
    @Test func theProductionModelWalkthroughRunsAsWritten() async throws {
        let blocks = try DocumentBlocks.blocks(of: "docs/production-model.md", section: "Walkthrough")
        try #require(blocks.count == 7, "expected the seven steps' blocks, found \(blocks.count)")
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
        for (number, block) in blocks.enumerated() {
            let (status, text) = try DocumentBlocks.run(block, in: work, environment: environment)
            try #require(status == 0, "block \(number) failed:\n\(block)\n\(text)")
            if number == 5 {
                #expect(text.contains("5 acme-brand/my-pi3 devices flashed"), "\(text)")
                #expect(text.contains("5 devices"), "\(text)")
            }
            if number == 6 {
                #expect(text.contains("5 snaps installed on acme-brand/my-pi3 serial"), "\(text)")
                #expect(text.contains("myawesomesnap refreshed from 1 to 2"), "\(text)")
                #expect(text.contains("Make snap \"myawesomesnap\" (2) available to the system"), "\(text)")
            }
        }
        let reply = try await server.request(
            .GET, "/admin/v1/devices?brand=acme-brand&model=my-pi3", token: server.adminToken)
        let devices = try #require(try JSONSerialization.jsonObject(with: reply.body) as? [[String: Any]])
        #expect(Set(devices.compactMap { $0["serial"] as? String }).count == 5, "\(reply.text)")
        let flashed = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("factory").path)
        #expect(flashed.filter { $0.hasPrefix("device-") }.count == 5, "\(flashed)")
    }
}
