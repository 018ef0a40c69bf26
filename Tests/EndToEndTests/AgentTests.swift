import DeviceAgent
import Foundation
import StoreProtocol
import StoreTestSupport
import TestSupport
import Testing

/// The device agent on a flashed device of the workshop's world, against a real `snapdepot serve`:
/// first boot from the seed, refreshes verified against the device's own roots, and what it
/// refuses.
@Suite(.serialized, .enabled(if: SnapdSource.available, "needs snapd's source: run scripts/test"))
struct AgentTests {
    struct Device {
        let world: SerialVaultTests.World
        let folder: URL

        static func flash() async throws -> Device {
            let world = try await SerialVaultTests.World.make()
            let image = try await world.imageArchive()
            let out = world.fixture.folder.appendingPathComponent("factory")
            let flashed = try world.store.snapdepot([
                "factory", "flash", image.path, "--devices", "1", "--out", out.path, "--key-bits", "1024",
            ])
            try #require(flashed.status == 0, "\(flashed.output)")
            return Device(world: world, folder: out.appendingPathComponent("device-0001"))
        }

        func agent(_ arguments: [String]) throws -> CommandResult {
            try world.store.snapdepot(["agent"] + arguments + ["--device", folder.path])
        }

        func snaps() throws -> [String: AgentState.InstalledSnap] {
            let listed = try agent(["list", "--json"])
            try #require(listed.status == 0, "\(listed.output)")
            let snaps = try WireJSON.decoder.decode([AgentState.InstalledSnap].self, from: Data(listed.output.utf8))
            return Dictionary(uniqueKeysWithValues: snaps.map { ($0.name, $0) })
        }

        /// `myawesomesnap` is at revision 1 on stable in the world; 2 is on candidate, 3 on edge.
        func release(_ revision: Int) throws {
            let released = try world.store.snapdepot(["release", "myawesomesnap", String(revision), "stable"])
            try #require(released.status == 0, "\(released.output)")
        }

        func blob(ofRevision revision: Int) throws -> URL {
            let listed = try world.store.snapdepot(["revisions", "myawesomesnap", "--json"])
            let revisions = try #require(
                try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]])
            let digest = try #require(
                revisions.first { $0["revision"] as? Int == revision }?["sha3-384"] as? String, "\(listed.output)")
            return URL(fileURLWithPath: world.data).appendingPathComponent("blobs/\(digest.prefix(2))/\(digest)")
        }

        /// What the store knows of this device (`devices show SERIAL --json`).
        func inventory() throws -> [String: Any] {
            let state = try DeviceState.read(from: folder)
            let shown = try world.store.snapdepot(["devices", "show", state.serial, "--json"])
            try #require(shown.status == 0, "\(shown.output)")
            return try #require(try JSONSerialization.jsonObject(with: Data(shown.output.utf8)) as? [String: Any])
        }

        func events(_ inventory: [String: Any]) -> [String] {
            (inventory["history"] as? [[String: Any]] ?? []).map { "\($0["kind"] ?? "") \($0["revision"] ?? "")" }
        }

        func stop() {
            world.stop()
        }
    }

    @Test func aFlashedDeviceSeedsThenRefreshesToWhatTheStoreReleases() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        let booted = try device.agent(["boot"])
        try #require(booted.status == 0, "\(booted.output)")
        let seeded = try device.snaps()
        #expect(seeded.count == 5 && seeded.values.allSatisfy { $0.current == 1 }, "\(seeded)")
        #expect(seeded["myawesomesnap"]?.channel == "latest/stable")

        let idle = try device.agent(["refresh"])
        #expect(idle.status == 0 && idle.output.contains("All snaps up to date"), "\(idle.output)")

        try device.release(2)
        let refreshed = try device.agent(["refresh", "--json"])
        try #require(refreshed.status == 0, "\(refreshed.output)")
        #expect(refreshed.output.contains(#""to" : 2"#), "\(refreshed.output)")
        let after = try device.snaps()
        #expect(after["myawesomesnap"]?.current == 2 && after["myawesomesnap"]?.sequence == [1, 2])
        #expect(after["myawesomesnap"]?.version == "1.1")
        #expect(after["core"]?.current == 1, "only what the store offered moved")
        #expect(
            FileManager.default.fileExists(
                atPath: device.folder.appendingPathComponent("snaps/myawesomesnap_2.snap").path))
        let verified = try String(
            contentsOf: device.folder.appendingPathComponent("assertions/verified.assert"), encoding: .utf8)
        #expect(verified.contains("type: snap-revision") && verified.contains("snap-revision: 2"))

        // The store learns the installed set from each refresh, and the download from the file
        // request: the next report shows whether the update took.
        #expect(try device.agent(["refresh"]).status == 0)
        let inventory = try device.inventory()
        let installed = inventory["installed"] as? [[String: Any]] ?? []
        #expect(installed.count == 5, "\(inventory)")
        #expect(installed.first { $0["name"] as? String == "myawesomesnap" }?["revision"] as? Int == 2)
        #expect(
            device.events(inventory).filter { $0.hasSuffix(" 2") } == ["downloaded 2", "refreshed 2"],
            "\(device.events(inventory))")

        // Retain: with two kept, the oldest revision's file goes when a third arrives.
        try device.release(3)
        var agent = try Agent.open(folder: device.folder)
        agent.retain = 2
        let report = try await agent.refresh()
        #expect(report.refreshed.map(\.to) == [3] && report.failed.isEmpty)
        let kept = try agent.state().snap(named: "myawesomesnap")
        #expect(kept?.current == 3 && kept?.sequence == [2, 3])
        #expect(
            !FileManager.default.fileExists(
                atPath: device.folder.appendingPathComponent("snaps/myawesomesnap_1.snap").path))
        let changes = try device.agent(["changes"])
        #expect(changes.output.contains("Discard old revisions of snap \"myawesomesnap\": 1"), "\(changes.output)")
    }

    @Test func aCorruptedDownloadIsRefusedAndTheDeviceStaysOnItsRevision() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        try device.release(2)
        // The store's copy is damaged after it was signed: same size, one byte changed.
        let blob = try device.blob(ofRevision: 2)
        var bytes = try Data(contentsOf: blob)
        bytes[bytes.count / 2] ^= 0xff
        try bytes.write(to: blob)

        let refused = try device.agent(["refresh"])
        #expect(refused.status != 0 && refused.output.contains("sha3-384 mismatch"), "\(refused.output)")
        #expect(try device.snaps()["myawesomesnap"]?.current == 1)
        let snaps = try FileManager.default.contentsOfDirectory(
            atPath: device.folder.appendingPathComponent("snaps").path)
        #expect(!snaps.contains { $0.hasPrefix("myawesomesnap_2") }, "nothing of the bad download is kept: \(snaps)")
        // The device downloaded 2 and reports 1 at its next refresh: the store infers the failure.
        #expect(try device.agent(["refresh"]).status != 0)
        let events = device.events(try device.inventory())
        #expect(events.contains("failed 2") && !events.contains("refreshed 2"), "\(events)")
        let changes = try device.agent(["changes", "--json"])
        let list = try #require(try JSONSerialization.jsonObject(with: Data(changes.output.utf8)) as? [[String: Any]])
        let last = try #require(list.last)
        #expect(last["status"] as? String == "Error", "\(changes.output)")
        #expect(changes.output.contains("sha3-384 mismatch for"), "the change says why: \(changes.output)")
    }

    @Test func anInterruptedDownloadResumesFromWhereItStopped() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        try #require(try device.agent(["boot"]).status == 0)
        try device.release(2)
        // A download cut halfway, as a power cut leaves it.
        let whole = try Data(contentsOf: try device.blob(ofRevision: 2))
        let partial = device.folder.appendingPathComponent("snaps/myawesomesnap_2.snap.partial")
        try whole.prefix(whole.count / 2).write(to: partial)

        let refreshed = try device.agent(["refresh"])
        #expect(
            refreshed.status == 0 && refreshed.output.contains("myawesomesnap refreshed from 1 to 2"),
            "\(refreshed.output)")
        let installed = try Data(contentsOf: device.folder.appendingPathComponent("snaps/myawesomesnap_2.snap"))
        #expect(installed == whole)
        #expect(!FileManager.default.fileExists(atPath: partial.path))
        // The store answered the Range request from the cut offset.
        let changes = try device.agent(["changes"])
        #expect(changes.output.contains("resumed at byte \(whole.count / 2)"), "\(changes.output)")
    }
}
