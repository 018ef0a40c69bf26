import Foundation
import StoreTestSupport
import TestSupport
import Testing

/// docs/publishing.md's commands, run as written against a fresh store: every `sh` block in
/// order, in one shell. `snapcraft` itself is not installed here; its login and every call it
/// makes are craft-store's, which `scripts/publisher-conformance` drives against the same API.
@Suite struct PublishingGuideTests {
    @Test func thePublishingGuideRunsAsWritten() async throws {
        let blocks = try DocumentBlocks.blocks(of: "docs/publishing.md")
        try #require(blocks.count >= 3, "found \(blocks.count) blocks")
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let server = try ServerProcess(data: fixture.folder.appendingPathComponent("served").path)
        defer { server.stop() }
        let environment = [
            "PATH": ServerProcess.binary.deletingLastPathComponent().path + ":/usr/bin:/bin",
            "HOME": fixture.folder.appendingPathComponent("home").path, "SNAPDEPOT_URL": server.url,
            "SNAPDEPOT_TOKEN": server.adminToken,
        ]
        // What the guide starts from: a brand and its snap with three revisions.
        var setup = [
            "snapdepot accounts create acme --id acme-brand --validation verified",
            "snapdepot register hello-depot --publisher acme-brand",
        ]
        for version in ["1.0", "1.1", "1.2"] {
            setup.append("snapdepot upload \(try fixture.packSnap("hello-depot", version: version)) --release edge")
        }
        let script =
            #"snapcraft() { echo "snapcraft $*: not installed here"; }"# + "\n" + setup.joined(separator: "\n") + "\n"
            + blocks.joined(separator: "\n")
        let work = fixture.folder.appendingPathComponent("guide")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let (status, output) = try DocumentBlocks.run(script, in: work, environment: environment)
        try #require(status == 0, "\(output)")
        // What a reader of the guide checks: the account has its email, the set is published.
        let accounts = try await server.request(.GET, "/admin/v1/accounts", token: server.adminToken)
        let dev = try #require(
            (try JSONSerialization.jsonObject(with: accounts.body) as? [[String: Any]])?.first {
                $0["id"] as? String == "dev-account"
            }, "\(accounts.text)")
        #expect(dev["username"] as? String == "dev")
        // As the guide says next: served on the assertion service.
        let served = try await server.request(.GET, "/v2/assertions/validation-set/16/acme-brand/fleet?sequence=latest")
        #expect(served.status == 200 && served.text.contains("name: fleet"), "\(served.text)\n\(output)")
        #expect(FileManager.default.fileExists(atPath: work.appendingPathComponent("fleet.assert").path))
    }
}
