import DeviceAgent
import Foundation
import TestSupport
import Testing

/// A device that registers itself: flashed without a serial, or made for a plain machine with
/// `agent init`; then its owner installs and removes snaps, and the store's inventory follows.
@Suite(.serialized, .enabled(if: SnapdSource.available, "needs snapd's source: run scripts/test"))
struct AgentInstallTests {
    typealias Device = AgentTests.Device

    @Test func aDeviceFlashedWithoutASerialRegistersAtFirstBootThenInstallsAndRemoves() async throws {
        let device = try await Device.flash(["--register-at", "first-boot"])
        defer { device.stop() }
        #expect(try DeviceState.read(from: device.folder).serial == nil)
        let early = try device.agent(["install", "core22"])
        #expect(early.status == 0, "installing boots the device first, which registers it: \(early.output)")
        let serial = try #require(try DeviceState.read(from: device.folder).serial)
        #expect(try Agent.open(folder: device.folder).serial()?.serial == serial)
        let changes = try device.agent(["changes"])
        #expect(changes.output.contains("Initialize device") && changes.output.contains("serial \(serial)"))

        let installed = try device.snaps()["core22"]
        #expect(installed?.current == 1 && installed?.channel == "latest/stable" && installed?.type == "base")
        let again = try device.agent(["install", "core22"])
        #expect(again.status != 0 && again.output.contains("already installed"), "\(again.output)")
        let missing = try device.agent(["install", "no-such-snap"])
        #expect(missing.status != 0 && missing.output.contains("cannot install \"no-such-snap\""), "\(missing.output)")
        let closed = try device.agent(["install", "mysecondawesomesnap", "--channel", "edge"])
        #expect(closed.status != 0, "already installed from the seed: \(closed.output)")

        // The store learns of it at the next refresh, and of its removal at the one after.
        #expect(try device.agent(["refresh"]).status == 0)
        #expect(device.events(try device.inventory()).contains("reported 1"))
        let required = try device.agent(["remove", "myawesomesnap"])
        #expect(required.status != 0 && required.output.contains("not removable"), "\(required.output)")
        let removed = try device.agent(["remove", "core22"])
        #expect(removed.status == 0, "\(removed.output)")
        #expect(try device.snaps()["core22"] == nil)
        #expect(
            !FileManager.default.fileExists(atPath: device.folder.appendingPathComponent("snaps/core22_1.snap").path))
        #expect(try device.agent(["refresh"]).status == 0)
        let inventory = try device.inventory()
        #expect(device.events(inventory).contains("removed 1"), "\(device.events(inventory))")
        #expect((inventory["installed"] as? [[String: Any]])?.count == 5, "\(inventory)")
    }

    /// `agent init` for a plain machine: no seed, registration at first boot, snaps by hand.
    @Test func aPlainMachineRegistersAndInstallsFromTheStore() async throws {
        let world = try await SerialVaultTests.World.make()
        defer { world.stop() }
        let model = world.fixture.folder.appendingPathComponent("my-pi3-amd64.model")
        try Data(try await world.model("my-pi3-amd64").utf8).write(to: model)
        let folder = world.fixture.folder.appendingPathComponent("laptop")
        let made = try world.store.snapdepot([
            "agent", "init", "--device", folder.path, "--model", model.path, "--store", world.server.url,
            "--key-bits", "1024",
        ])
        try #require(made.status == 0, "\(made.output)")
        let mode =
            try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent("device-key.pem").path)[
                .posixPermissions] as? Int
        #expect(mode == 0o600)
        let twice = try world.store.snapdepot([
            "agent", "init", "--device", folder.path, "--model", model.path, "--store", world.server.url,
        ])
        #expect(twice.status != 0 && twice.output.contains("already exists"), "\(twice.output)")

        let booted = try world.store.snapdepot(["agent", "boot", "--device", folder.path])
        #expect(booted.status == 0 && booted.output.contains("0 snaps installed"), "\(booted.output)")
        #expect(!booted.output.contains("none yet"), "registered: \(booted.output)")
        let installed = try world.store.snapdepot([
            "agent", "install", "myawesomesnap", "--channel", "candidate", "--device", folder.path,
        ])
        #expect(
            installed.status == 0 && installed.output.contains("myawesomesnap 1.1 (revision 2) installed"),
            "\(installed.output)")
    }
}
