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

        static func flash(_ options: [String] = [], serverArguments: [String] = []) async throws -> Device {
            let world = try await SerialVaultTests.World.make(serverArguments: serverArguments)
            let image = try await world.imageArchive()
            let out = world.fixture.folder.appendingPathComponent("factory")
            let flashed = try world.store.snapdepot(
                [
                    "factory", "flash", image.path, "--devices", "1", "--out", out.path, "--key-bits", "1024",
                ] + options)
            try #require(flashed.status == 0, "\(flashed.output)")
            return Device(world: world, folder: out.appendingPathComponent("device-0001"))
        }

        func agent(_ arguments: [String]) throws -> CommandResult {
            try world.store.snapdepot(["agent"] + arguments + ["--device", folder.path])
        }

        /// The same, waited for off Swift's cooperative threads: a proxy served inside the test
        /// process (`FaultyStore`) needs one free to answer the agent it waits for.
        func agentOffThread(_ arguments: [String]) async throws -> CommandResult {
            try await Self.offThread { try agent(arguments) }
        }

        static func offThread(_ work: @escaping @Sendable () throws -> CommandResult) async throws -> CommandResult {
            try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
            }
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

        /// Packs a variant of a seed-data snap (`change` edits its folder), uploads it released to
        /// stable, and returns its revision.
        func uploadVariant(of name: String, _ change: (URL) throws -> Void) throws -> Int {
            try world.uploadVariant(of: name, change)
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
            let serial = try #require(try DeviceState.read(from: folder).serial, "the device has registered")
            let shown = try world.store.snapdepot(["devices", "show", serial, "--json"])
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

    /// `agent refresh --cohort` and `--leave-cohort`, as snapd's: in a cohort whose place is
    /// outside a rollout the device waits with it even though its own place is inside, and keeps
    /// waiting on the next refreshes; leaving, it takes its own place and refreshes. A key the
    /// store did not make fails the refresh.
    @Test func aCohortKeepsTheDeviceWithItUntilItLeaves() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        try #require(try device.agent(["boot"]).status == 0)
        let snapID = try #require(try device.snaps()["myawesomesnap"]?.snapID)
        let state = try DeviceState.read(from: device.folder)
        let serial = try #require(state.serial)
        let own = RolloutPosition.of(snapID, serialKey: "\(state.brandID)/\(state.model)/\(serial)")
        try #require(own < 99, "the seeded device's place (\(own)) leaves room for a cohort outside the rollout")
        // A share that just takes the device in, and a cohort key whose place (docs/device-api.md:
        // base64 of `1 SNAP-ID CREATED NONCE MAC`) falls outside it.
        let share = (own * 100 + 1).rounded() / 100
        var outside: String?
        for _ in 0..<300 where outside == nil {
            let made = try await device.world.server.request(
                .POST, "/v2/cohorts", body: Data(#"{"snaps": ["myawesomesnap"]}"#.utf8))
            let key = try #require((try made.json()["cohort-keys"] as? [String: String])?["myawesomesnap"])
            let fields = String(decoding: try #require(Data(base64Encoded: key)), as: UTF8.self).split(separator: " ")
            if RolloutPosition.of(snapID, serialKey: "cohort/\(fields[3])") >= share { outside = key }
        }
        let key = try #require(outside)
        let released = try device.world.store.snapdepot([
            "release", "myawesomesnap", "2", "stable", "--progressive", String(share),
        ])
        try #require(released.status == 0, "\(released.output)")

        let joined = try device.agent(["refresh", "myawesomesnap", "--cohort", key])
        #expect(joined.status == 0 && joined.output.contains("All snaps up to date"), "\(joined.output)")
        #expect(try device.snaps()["myawesomesnap"]?.cohortKey == key)
        let again = try device.agent(["refresh"])
        #expect(again.status == 0 && again.output.contains("All snaps up to date"), "\(again.output)")
        let left = try device.agent(["refresh", "myawesomesnap", "--leave-cohort"])
        #expect(left.status == 0 && left.output.contains("myawesomesnap refreshed from 1 to 2"), "\(left.output)")
        #expect(try device.snaps()["myawesomesnap"]?.cohortKey == nil)

        let forged = try device.agent(["refresh", "myawesomesnap", "--cohort", "MSBmb3JnZWQ="])
        #expect(forged.status != 0 && forged.output.contains("cohort key"), "\(forged.output)")
        #expect(try device.agent(["refresh", "--leave-cohort"]).status != 0)
    }

    @Test func aFlashedDeviceSeedsThenRefreshesToWhatTheStoreReleases() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        let booted = try device.agent(["boot"])
        try #require(booted.status == 0, "\(booted.output)")
        let seeded = try device.snaps()
        #expect(seeded.count == 5 && seeded.values.allSatisfy { $0.current == 1 }, "\(seeded)")
        #expect(seeded["myawesomesnap"]?.channel == "latest/stable")

        // snapd's refresh.metered=hold: on a metered connection the due refresh waits.
        #expect(try device.agent(["set", "refresh.metered=sometimes"]).output.contains("only \"hold\""))
        #expect(try device.agent(["set", "refresh.metered=hold"]).status == 0)
        let metered = try device.agent(["run", "--once", "--metered"])
        #expect(metered.status == 0 && metered.output.contains("the connection is metered"), "\(metered.output)")
        // Scheduled: a device that never asked the store asks at once, then waits for the next window.
        let first = try device.agent(["run", "--once"])
        #expect(first.status == 0 && first.output.contains("All snaps up to date"), "\(first.output)")
        let later = try device.agent(["run", "--once"])
        #expect(later.status == 0 && later.output.contains("next refresh at"), "\(later.output)")
        // refresh.hold: nothing scheduled before it ends, and never beyond 95 days after the last.
        #expect(try device.agent(["set", "refresh.hold=next week"]).output.contains("not an RFC 3339 time"))
        #expect(try device.agent(["set", "refresh.hold=2027-01-20T00:00:00Z"]).status == 0)
        let held = try device.agent(["schedule", "--json"])
        let heldNext = try #require(
            (try JSONSerialization.jsonObject(with: Data(held.output.utf8)) as? [String: Any])?["next"] as? String)
        #expect(heldNext >= "2027-01-20T00:00:00Z", "\(held.output)")
        #expect(try device.agent(["set", "refresh.hold!"]).status == 0)
        let timer = try device.agent(["schedule", "--set", "mon-fri,9:00~17:00"])
        #expect(timer.status == 0 && timer.output.contains("timer: mon-fri,9:00~17:00"), "\(timer.output)")
        let refused = try device.agent(["schedule", "--set", "25:00"])
        #expect(refused.status != 0 && refused.output.contains("cannot parse"), "\(refused.output)")

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
            device.events(inventory).filter { $0.hasSuffix(" 2") } == ["downloaded 2", "installed 2", "refreshed 2"],
            "\(device.events(inventory))")

        // A brand ends the device's sessions (a stolen device, a leaked key): the device is told to
        // open a new one, does so with its serial's key, and refreshes as before.
        let serial = try #require(try DeviceState.read(from: device.folder).serial)
        let opened = inventory["sessions-opened"] as? [Int] ?? []
        #expect(!opened.isEmpty, "\(inventory)")
        let revoked = try device.world.store.snapdepot(["devices", "revoke-sessions", serial, "--json"])
        #expect(revoked.status == 0 && revoked.output.contains(#""revoked" : \#(opened.count)"#), "\(revoked.output)")
        #expect((try device.inventory()["sessions-opened"] as? [Int])?.isEmpty == true)
        let reopened = try device.agent(["refresh"])
        #expect(reopened.status == 0 && reopened.output.contains("All snaps up to date"), "\(reopened.output)")
        #expect((try device.inventory()["sessions-opened"] as? [Int])?.count == 1)

        // Retain: with two kept, the oldest revision's file goes when a third arrives.
        try device.release(3)
        let agent = try Agent.open(folder: device.folder)
        #expect(try device.agent(["set", "refresh.retain=1"]).output.contains("between 2 and 20"))
        #expect(try device.agent(["set", "refresh.retain=2"]).status == 0)
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
        let inventory = try device.inventory()
        let events = device.events(inventory)
        #expect(events.contains("failed 2") && !events.contains("refreshed 2"), "\(events)")
        // The agent's own report says why, where the inference can only say that it did not take.
        let details = (inventory["history"] as? [[String: Any]] ?? []).compactMap { $0["detail"] as? String }
        #expect(
            details.contains { $0.hasPrefix("the agent's report (error)") && $0.contains("sha3-384 mismatch") },
            "\(details)")
        #expect(details.contains { $0.hasPrefix("downloaded revision 2, then reported revision 1") }, "\(details)")
        // Only a device with a session can report.
        let anonymous = try await device.world.server.request(
            .POST, "/snapdepot/v1/attempts",
            body: Data(#"{"snap-id":"x","revision":2,"result":"error"}"#.utf8))
        #expect(anonymous.status == 401 && anonymous.text.contains("needs a device session"), "\(anonymous.text)")
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

    /// snapd's refresh, check-health failing: the new revision is undone and the old one stays.
    @Test func aFailedHealthCheckRevertsToThePreviousRevision() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        try #require(try device.agent(["boot"]).status == 0)
        // A new revision whose health check fails, and whose post-refresh hook leaves a mark.
        let mark = device.world.fixture.folder.appendingPathComponent("post-refresh-ran")
        let revision = try device.uploadVariant(of: "myawesomesnap") { source in
            let yaml = source.appendingPathComponent("meta/snap.yaml")
            try (try String(contentsOf: yaml, encoding: .utf8)).replacingOccurrences(
                of: "version: '0'", with: "version: '9'"
            )
            .write(to: yaml, atomically: true, encoding: .utf8)
            let hooks = source.appendingPathComponent("meta/hooks")
            try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
            for (hook, script) in [
                ("check-health", "#!/bin/sh\necho \"database unreachable\" >&2\nexit 3\n"),
                ("post-refresh", "#!/bin/sh\necho \"$SNAP_NAME $SNAP_REVISION\" > \(mark.path)\n"),
            ] {
                try Data(script.utf8).write(to: hooks.appendingPathComponent(hook))
                try FileManager.default.setAttributes(
                    [.posixPermissions: 0o755], ofItemAtPath: hooks.appendingPathComponent(hook).path)
            }
        }

        let refreshed = try device.agent(["refresh"])
        #expect(refreshed.status != 0, "\(refreshed.output)")
        #expect(
            refreshed.output.contains(
                "the check-health hook of \"myawesomesnap\" (\(revision)) failed with exit status 3: database unreachable"
            ),
            "\(refreshed.output)")
        #expect(try device.snaps()["myawesomesnap"]?.current == 1)
        #expect(try device.snaps()["myawesomesnap"]?.sequence == [1])
        #expect(
            !FileManager.default.fileExists(
                atPath: device.folder.appendingPathComponent("snaps/myawesomesnap_\(revision).snap").path))
        let marked = try String(contentsOf: mark, encoding: .utf8)
        #expect(marked == "myawesomesnap \(revision)\n", "the new revision's post-refresh hook ran first")
        let changes = try device.agent(["changes"])
        #expect(changes.output.contains("Undone  Make snap \"myawesomesnap\" (1) current again"), "\(changes.output)")
        let listed = try device.agent(["changes", "--json"])
        let last = try #require(
            (try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]])?.last)
        #expect(last["status"] as? String == "Undone", "\(listed.output)")
    }

    /// The owner's actions: a revert blocks the revision left, a hold keeps a snap out of a general
    /// refresh, a switch changes what the next refresh follows.
    @Test func revertHoldAndSwitchSteerTheNextRefresh() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        try device.release(2)
        #expect(try device.agent(["refresh"]).status == 0)
        #expect(try device.snaps()["myawesomesnap"]?.current == 2)

        let reverted = try device.agent(["revert", "myawesomesnap"])
        #expect(reverted.status == 0 && reverted.output.contains("reverted to 1.0 (revision 1)"), "\(reverted.output)")
        #expect(try device.agent(["refresh"]).output.contains("All snaps up to date"), "2 is blocked after the revert")
        #expect(try device.snaps()["myawesomesnap"]?.current == 1)

        let nothing = try device.agent(["revert", "core"])
        #expect(nothing.status != 0 && nothing.output.contains("no revision to revert to"), "\(nothing.output)")

        // Edge has revision 3: switching follows it, unless the snap is held.
        #expect(try device.agent(["switch", "myawesomesnap", "--channel", "edge"]).status == 0)
        #expect(try device.snaps()["myawesomesnap"]?.channel == "latest/edge")
        #expect(try device.agent(["hold", "myawesomesnap"]).status == 0)
        #expect(try device.agent(["refresh"]).output.contains("All snaps up to date"), "held")
        let named = try device.agent(["refresh", "myawesomesnap"])
        #expect(
            named.output.contains("myawesomesnap refreshed from 1 to 3"),
            "naming a held snap refreshes it: \(named.output)")
    }

    /// snapd's epochs: a device on epoch 0 cannot take a revision of epoch 1 straight away. The
    /// store offers the newest released revision that reads 0 (epoch `1*`), and the re-refresh
    /// after it (snapd's check-rerefresh) reaches epoch 1 in the same refresh.
    @Test func anEpochBumpIsCrossedThroughTheRevisionThatReadsBoth() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        try #require(try device.agent(["boot"]).status == 0)
        func epoch(_ text: String) -> (URL) throws -> Void {
            { source in
                let yaml = source.appendingPathComponent("meta/snap.yaml")
                try (try String(contentsOf: yaml, encoding: .utf8) + "epoch: \(text)\n")
                    .write(to: yaml, atomically: true, encoding: .utf8)
            }
        }
        let bridge = try device.uploadVariant(of: "myawesomesnap", epoch("1*"))
        let bumped = try device.uploadVariant(of: "myawesomesnap", epoch("1"))
        let refreshed = try device.agent(["refresh", "--json"])
        try #require(refreshed.status == 0, "\(refreshed.output)")
        let report = try WireJSON.decoder.decode(Agent.RefreshReport.self, from: Data(refreshed.output.utf8))
        #expect(
            report.refreshed.map { [$0.from, $0.to] } == [[1, bridge], [bridge, bumped]], "\(refreshed.output)")
        let snap = try #require(try device.snaps()["myawesomesnap"])
        #expect(snap.current == bumped && snap.epoch.description == "1", "\(snap)")
    }
}
