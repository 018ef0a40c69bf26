import DeviceAgent
import Foundation
import TestSupport
import Testing

/// snapd's validation sets in enforce mode on the agent: what a set requires holds refreshes, what
/// it makes invalid cannot be installed, and a new sequence moves the device.
@Suite(.serialized, .enabled(if: SnapdSource.available, "needs snapd's source: run scripts/test"))
struct AgentValidationTests {
    typealias Device = AgentTests.Device

    /// The brand signs and publishes sequence `sequence` of `acme-brand/fleet`.
    static func publish(_ device: Device, sequence: Int, _ snaps: [String]) throws {
        let folder = device.world.fixture.folder
        let headers = folder.appendingPathComponent("fleet-\(sequence).yaml")
        let created = try device.world.store.snapdepot(
            [
                "validation-set", "create", "fleet", "--account", "acme-brand", "--sequence", String(sequence),
                "--output", headers.path,
            ] + snaps.flatMap { ["--snap", $0] })
        try #require(created.status == 0, "\(created.output)")
        let signed = try device.world.store.snapdepot([
            "validation-set", "sign", headers.path, "--key", "acme-models", "--keys",
            URL(fileURLWithPath: device.world.data).appendingPathComponent("brand-keys").path,
        ])
        try #require(signed.status == 0, "\(signed.output)")
        let file = folder.appendingPathComponent("fleet-\(sequence).assert")
        try Data(signed.output.utf8).write(to: file)
        let published = try device.world.store.snapdepot(["validation-set", "publish", file.path])
        try #require(published.status == 0, "\(published.output)")
    }

    @Test func anEnforcedSetHoldsRefreshesRefusesInvalidSnapsAndFollowsNewSequences() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        try #require(try device.agent(["boot"]).status == 0)
        try Self.publish(device, sequence: 1, ["myawesomesnap@2", "core22:invalid"])

        let unmet = try device.agent(["validate", "--enforce", "acme-brand/fleet"])
        #expect(
            unmet.status != 0 && unmet.output.contains("myawesomesnap must be at revision 2, not 1"), "\(unmet.output)")
        try device.release(2)
        #expect(try device.agent(["refresh"]).status == 0)
        let enforced = try device.agent(["validate", "--enforce", "acme-brand/fleet", "--json"])
        #expect(enforced.status == 0 && enforced.output.contains(#""sequence" : 1"#), "\(enforced.output)")

        // Stable moves on to 3; the set keeps the device at 2.
        try device.release(3)
        let held = try device.agent(["refresh"])
        #expect(held.status == 0 && held.output.contains("All snaps up to date"), "\(held.output)")
        #expect(try device.snaps()["myawesomesnap"]?.current == 2)
        let invalid = try device.agent(["install", "core22"])
        #expect(invalid.status != 0 && invalid.output.contains("invalid"), "\(invalid.output)")
        #expect(try device.snaps()["core22"] == nil)

        // Sequence 2 requires revision 3: the next refresh asks for it by the set's key.
        try Self.publish(device, sequence: 2, ["myawesomesnap@3", "core22:invalid"])
        let moved = try device.agent(["refresh"])
        #expect(moved.status == 0 && moved.output.contains("myawesomesnap refreshed from 2 to 3"), "\(moved.output)")
        let listed = try device.agent(["validate", "--json"])
        #expect(listed.output.contains(#""sequence" : 2"#), "\(listed.output)")

        // Pinned to sequence 1, the device at 3 no longer satisfies it; forgetting the set frees it.
        let pinned = try device.agent(["validate", "--enforce", "acme-brand/fleet=1"])
        #expect(pinned.status != 0 && pinned.output.contains("must be at revision 2, not 3"), "\(pinned.output)")
        #expect(try device.agent(["validate", "--forget", "acme-brand/fleet"]).status == 0)
        let freed = try device.agent(["install", "core22"])
        #expect(freed.status == 0, "\(freed.output)")
    }
}
