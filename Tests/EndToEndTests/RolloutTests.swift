import DeviceAgent
import Foundation
import TestSupport
import Testing

/// Rollouts the store steers, with real devices (the agent, through its device session) against a
/// real `snapdepot serve`: a release targeted at a group, and a rollout its health gate halts.
@Suite(.serialized, .enabled(if: SnapdSource.available, "needs snapd's source: run scripts/test"))
struct RolloutTests {
    typealias Device = AgentTests.Device

    /// Two flashed devices of the workshop's world, booted, each having refreshed once so the store
    /// knows them.
    static func fleet() async throws -> (Device, Device) {
        let first = try await Device.flash()
        // The image the first was flashed from (`World.imageArchive`).
        let image = first.world.fixture.folder.appendingPathComponent("my-pi3.tar")
        let out = first.folder.deletingLastPathComponent()
        let flashed = try first.world.store.snapdepot([
            "factory", "flash", image.path, "--devices", "1", "--out", out.path, "--key-bits", "1024",
        ])
        try #require(flashed.status == 0, "\(flashed.output)")
        let second = Device(world: first.world, folder: out.appendingPathComponent("device-0002"))
        for device in [first, second] { try #require(try device.agent(["refresh"]).status == 0) }
        return (first, second)
    }

    static func serial(_ device: Device) throws -> String {
        try #require(try DeviceState.read(from: device.folder).serial)
    }

    @Test func aTargetedReleaseReachesItsGroupOnly() async throws {
        let (canary, other) = try await Self.fleet()
        defer { canary.stop() }
        let store = canary.world.store
        let tagged = try store.snapdepot(["devices", "tag", try Self.serial(canary), "--add", "canary"])
        #expect(tagged.status == 0 && tagged.output.contains(": canary"), "\(tagged.output)")
        let listed = try store.snapdepot(["devices", "list", "--tag", "canary", "--json"])
        let listedSerials = try #require(
            try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]]
        ).compactMap { $0["serial"] as? String }
        #expect(listedSerials == [try Self.serial(canary)], "\(listed.output)")
        let group = try store.snapdepot(["groups", "add", "canary", "--brand", "acme-brand", "--tag", "canary"])
        #expect(group.status == 0 && group.output.contains("1 device now"), "\(group.output)")

        // What is refused, with nothing changed.
        // A model with no devices yet makes a group that is empty for now.
        let empty = try store.snapdepot(["groups", "add", "nobody", "--brand", "acme-brand", "--model", "my-uc22"])
        #expect(empty.status == 0 && empty.output.contains("0 devices now"), "\(empty.output)")
        for (arguments, words) in [
            (["release", "myawesomesnap", "2", "stable", "--to", "ghosts"], "no group ghosts"),
            (["release", "myawesomesnap", "2", "stable", "--to", "nobody"], "has no devices"),
            (["release", "myawesomesnap", "2", "stable", "--halt-at", "150%"], "at most 100"),
            (["release", "myawesomesnap", "2", "stable", "--halt-at=-1%"], "above 0"),
            (["release", "myawesomesnap", "2", "stable", "--halt-at", "often"], "not a share"),
            (["devices", "tag", "NO-SUCH-SERIAL", "--add", "canary"], "no device with serial NO-SUCH-SERIAL"),
            (["devices", "tag", try Self.serial(canary), "--add", "Bad Tag"], "invalid tag"),
            (["groups", "add", "everyone", "--brand", "acme-brand"], "by model, tag or serials"),
            (
                ["groups", "add", "typo", "--brand", "acme-brand", "--tag", "canray"],
                "no device of acme-brand has tag canray"
            ),
            (["groups", "add", "typo", "--brand", "acme-brand", "--serials", "NOPE"], "has serial NOPE"),
        ] {
            let refused = try store.snapdepot(arguments)
            #expect(refused.status != 0 && refused.output.contains(words), "\(arguments): \(refused.output)")
        }
        let untouched = try store.snapdepot(["status", "myawesomesnap", "--json"])
        #expect(!untouched.output.contains("progressive-revision\" : 2"), "\(untouched.output)")

        let released = try store.snapdepot(["release", "myawesomesnap", "2", "stable", "--to", "canary"])
        #expect(released.status == 0 && released.output.contains("→ 2 at 100% of canary"), "\(released.output)")
        let overlapping = try store.snapdepot(["release", "myawesomesnap", "3", "stable", "--to", "canary"])
        #expect(
            overlapping.status != 0 && overlapping.output.contains("a rollout of revision 2 is under way"),
            "\(overlapping.output)")
        let moved = try canary.agent(["refresh"])
        #expect(moved.output.contains("myawesomesnap refreshed from 1 to 2"), "\(moved.output)")
        let stayed = try other.agent(["refresh"])
        #expect(stayed.status == 0 && stayed.output.contains("All snaps up to date"), "\(stayed.output)")

        // Completed, it reaches every device of the channel.
        let completed = try store.snapdepot(["rollout", "complete", "myawesomesnap", "--channel", "stable"])
        #expect(completed.status == 0, "\(completed.output)")
        #expect(try other.agent(["refresh"]).output.contains("myawesomesnap refreshed from 1 to 2"))
    }

    /// A revision whose health check fails, released with a gate: the first failure halts it, the
    /// device not yet updated is not offered it, a resume counts afresh, an abort takes it back.
    @Test func aRolloutHaltsWhenFailuresCrossItsGate() async throws {
        let (first, second) = try await Self.fleet()
        defer { first.stop() }
        let store = first.world.store
        let bad = try first.uploadVariant(of: "myawesomesnap") { source in
            let hooks = source.appendingPathComponent("meta/hooks")
            try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
            let hook = hooks.appendingPathComponent("check-health")
            try Data("#!/bin/sh\necho 'service did not start' >&2\nexit 1\n".utf8).write(to: hook)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: hook.path)
        }
        // uploadVariant released it to stable for everyone: take that back to a gated rollout.
        #expect(try store.snapdepot(["release", "myawesomesnap", "1", "stable"]).status == 0)
        let gated = try store.snapdepot([
            "release", "myawesomesnap", String(bad), "stable", "--halt-at", "1", "--min-attempts", "1",
        ])
        #expect(gated.status == 0 && gated.output.contains("→ \(bad) at 100%"), "\(gated.output)")

        let failed = try first.agent(["refresh"])
        #expect(failed.status != 0 && failed.output.contains("service did not start"), "\(failed.output)")
        let shown = try store.snapdepot(["rollout", "show", "myawesomesnap", "--json"])
        let rollouts = try #require(
            try JSONSerialization.jsonObject(with: Data(shown.output.utf8)) as? [[String: Any]], "\(shown.output)")
        let halt = try #require(rollouts.first?["halt"] as? [String: Any], "\(shown.output)")
        #expect(
            halt["reason"] as? String
                == "1 of 1 devices failed with revision \(bad): halts at 1 failed devices after 1 attempt")
        #expect(rollouts.first?["failures"] as? Int == 1 && rollouts.first?["attempts"] as? Int == 1)
        let status = try store.snapdepot(["status", "myawesomesnap"])
        #expect(status.output.contains("(halted)") && status.output.contains("halted: 1 of 1 devices failed"))

        // Halted: the device that had not taken it is not offered it.
        let spared = try second.agent(["refresh"])
        #expect(spared.status == 0 && spared.output.contains("All snaps up to date"), "\(spared.output)")

        // Resumed, the gate counts afresh: the next failure halts it again.
        #expect(try store.snapdepot(["rollout", "resume", "myawesomesnap"]).status == 0)
        #expect(try second.agent(["refresh"]).status != 0)
        let again = try store.snapdepot(["rollout", "show", "myawesomesnap"])
        #expect(again.output.contains("halted: 1 of 1 devices failed"), "\(again.output)")

        // Aborted: no rollout left, every device on revision 1, the history says what happened.
        let aborted = try store.snapdepot(["rollout", "abort", "myawesomesnap"])
        #expect(aborted.status == 0, "\(aborted.output)")
        #expect(try store.snapdepot(["rollout", "show", "myawesomesnap"]).output.contains("no rollout"))
        for device in [first, second] {
            #expect(try device.agent(["refresh"]).output.contains("All snaps up to date"))
            #expect(try device.snaps()["myawesomesnap"]?.current == 1)
        }
        let history = try await first.world.server.request(
            .GET, "/admin/v1/snaps/myawesomesnap/history", token: first.world.server.adminToken)
        #expect(
            history.text.contains("\"halt\"") && history.text.contains("\"resume\"")
                && history.text.contains("\"abort\""), "\(history.text)")
    }
}
