import DepotCrypto
import Foundation
import SnapFiles
import StoreTestSupport
import TestSupport
import Testing

/// Deltas between revisions, judged by snapd's own store package: the store announces an xdelta3
/// delta only to a device that says it applies them, and `store.Download` goes through it to the
/// revision's exact bytes.
@Suite(
    .serialized,
    .enabled(if: SnapdSource.available && XDelta3.isAvailable, "needs snapd's source and xdelta3: run scripts/test"))
struct DeltaTests {
    @Test func snapdsStorePackageDownloadsThroughADelta() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let server = try ServerProcess(
            data: fixture.folder.appendingPathComponent("deltas").path, extraArguments: ["--deltas"])
        defer { server.stop() }
        #expect(server.startText.contains("deltas: made with xdelta3"), "\(server.startText)")
        let admin = server.adminToken
        let account = try await server.json(
            .POST, "/admin/v1/accounts", token: admin, ["username": "acme", "id": "acme"])
        try #require(account.status == 201 || account.status == 200, "\(account.status) \(account.text)")
        let registered = try await server.json(
            .POST, "/admin/v1/snaps", token: admin, ["name": "big-depot", "publisher": "acme"])
        let snapID = try #require(try registered.json()["snap-id"] as? String, "\(registered.text)")
        // Two versions of a 3 MiB snap that differ in a few bytes.
        var files: [String] = []
        for version in ["1", "2"] {
            let file = try fixture.packSnap(
                "big-depot", version: version, architectures: ["amd64"], payload: 3 << 20, payloadSeed: 42)
            let uploaded = try await server.request(
                .POST, "/admin/v1/snaps/big-depot/revisions?release=stable", token: admin,
                body: try Data(contentsOf: URL(fileURLWithPath: file)))
            try #require((200..<300).contains(uploaded.status), "\(uploaded.text)")
            files.append(file)
        }
        let made = try await server.json(
            .POST, "/admin/v1/snaps/big-depot/deltas", token: admin, ["source": 1, "target": 2])
        let delta = try made.json()
        let snapSize = try #require(try FileManager.default.attributesOfItem(atPath: files[1])[.size] as? Int)
        let deltaSize = try #require(delta["size"] as? Int, "\(made.text)")
        #expect(made.status == 200 && delta["announced"] as? Bool == true, "\(made.text)")
        #expect(deltaSize * 20 < snapSize, "a few changed bytes make a small delta: \(deltaSize) of \(snapSize)")

        // Announced to a device that says it applies xdelta3, and only to it.
        func offered(acceptingDeltas: Bool) async throws -> [[String: Any]] {
            var headers = [
                "Content-Type": "application/json", "Snap-Device-Series": "16", "Snap-Device-Architecture": "amd64",
            ]
            if acceptingDeltas { headers["Snap-Accept-Delta-Format"] = "xdelta3" }
            let body: [String: Any] = [
                "context": [
                    [
                        "snap-id": snapID, "instance-key": snapID, "revision": 1, "tracking-channel": "stable",
                        "epoch": ["read": [0], "write": [0]], "refresh-date": "2026-12-01T00:00:00Z",
                    ]
                ],
                "actions": [["action": "refresh", "instance-key": snapID, "snap-id": snapID]],
                "fields": ["download", "revision"],
            ]
            let reply = try await server.request(
                .POST, "/v2/snaps/refresh", body: try JSONSerialization.data(withJSONObject: body), headers: headers)
            let results = try #require(try reply.json()["results"] as? [[String: Any]], "\(reply.text)")
            let download = try #require((results.first?["snap"] as? [String: Any])?["download"] as? [String: Any])
            return download["deltas"] as? [[String: Any]] ?? []
        }
        #expect(try await offered(acceptingDeltas: false).isEmpty)
        let announced = try await offered(acceptingDeltas: true)
        #expect(
            announced.count == 1 && announced.first?["source"] as? Int == 1 && announced.first?["target"] as? Int == 2)
        #expect(announced.first?["size"] as? Int == deltaSize, "\(announced)")

        // A Range of the delta is that slice of its bytes, as for a snap.
        let url = try #require(announced.first?["url"] as? String)
        let path = String(url.dropFirst(server.url.count))
        let deltaDigest = try #require(delta["sha3-384"] as? String)
        let blob = try Data(
            contentsOf: URL(fileURLWithPath: server.data).appendingPathComponent(
                "blobs/\(deltaDigest.prefix(2))/\(deltaDigest)"))
        let part = try await server.request(
            .GET, path, headers: ["Range": "bytes=10-99", "Snap-Device-Series": "16"])
        #expect(part.status == 206 && part.body == blob.subdata(in: 10..<100), "\(part.status)")
        #expect(part.headers.first(name: "Content-Range") == "bytes 10-99/\(blob.count)")

        // snapd's store.Download through the delta, with revision 1's file where snapd keeps it.
        let out = fixture.folder.appendingPathComponent("downloaded.snap")
        let spec: [String: Any] = [
            "url": server.url, "name": "big-depot", "snap-id": snapID, "revision": 1, "channel": "stable",
            "file": files[0], "out": out.path,
        ]
        let specFile = fixture.folder.appendingPathComponent("delta-spec.json")
        try JSONSerialization.data(withJSONObject: spec).write(to: specFile)
        let before = try await server.request(.GET, "/admin/v1/counters", token: admin).json()
        let run = try SnapdSource.runChecker(["delta-download", specFile.path])
        try #require(run.status == 0, "\(run.output)")
        let line = try #require(run.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }), "\(run.output)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(report["deltas"] as? Int == 1 && report["delta-from"] as? Int == 1, "\(report)")
        #expect(report["error"] == nil, "\(report)")
        let expected = try #require(report["sha3-384"] as? String)
        #expect(report["downloaded-sha3-384"] as? String == expected, "\(report)")
        let (digest, _) = try Digest.ofFile(at: out.path, .sha3_384)
        #expect(Hex.encode(digest) == expected, "the file snapd wrote is revision 2")
        // What went over the wire was the delta, not the snap.
        let after = try await server.request(.GET, "/admin/v1/counters", token: admin).json()
        func count(_ key: String, _ counters: [String: Any]) -> Int { counters[key] as? Int ?? -1 }
        #expect(count("delta-downloads", after) - count("delta-downloads", before) == 1, "\(after)")
        #expect(count("downloads", after) - count("downloads", before) == 1, "no whole download: \(after)")
        #expect(count("download-bytes", after) - count("download-bytes", before) == deltaSize, "\(after)")
    }
}

/// The device agent asks for deltas as snapd does, applies them with xdelta3 and checks the
/// result; a delta missing from the store, corrupt, or that does not apply to what the device holds
/// leaves it with the whole snap instead, the change saying why.
@Suite(
    .serialized,
    .enabled(if: SnapdSource.available && XDelta3.isAvailable, "needs snapd's source and xdelta3: run scripts/test"))
struct AgentDeltaTests {
    typealias Device = AgentTests.Device

    @Test func theAgentRefreshesThroughADeltaAndFallsBackToTheWholeSnap() async throws {
        let device = try await Device.flash(serverArguments: ["--deltas"])
        defer { device.stop() }
        try #require(try device.agent(["boot"]).status == 0)
        // 2 MiB that every variant shares, and a tag that tells them apart.
        var generator = SplitMix64(seed: 7)
        let payload = Data((0..<(2 << 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        func variant(_ tag: String) throws -> Int {
            try device.uploadVariant(of: "myawesomesnap") { folder in
                try payload.write(to: folder.appendingPathComponent("payload.bin"))
                try Data(tag.utf8).write(to: folder.appendingPathComponent("tag.txt"))
            }
        }
        func makeDelta(_ from: Int, _ to: Int) throws -> [String: Any] {
            let made = try device.world.store.snapdepot(
                ["deltas", "myawesomesnap", "--from", String(from), "--to", String(to), "--json"])
            try #require(made.status == 0, "\(made.output)")
            let deltas = try #require(
                try JSONSerialization.jsonObject(with: Data(made.output.utf8)) as? [[String: Any]], "\(made.output)")
            let delta = try #require(deltas.first)
            try #require(delta["announced"] as? Bool == true, "\(delta)")
            return delta
        }
        func deltaBlob(_ delta: [String: Any]) throws -> URL {
            let digest = try #require(delta["sha3-384"] as? String)
            return URL(fileURLWithPath: device.world.data).appendingPathComponent("blobs/\(digest.prefix(2))/\(digest)")
        }
        /// Refreshes to `revision` and returns the download step's summary, having checked that the
        /// installed file is the revision's bytes.
        func refresh(to revision: Int) throws -> String {
            let refreshed = try device.agent(["refresh"])
            try #require(refreshed.status == 0, "\(refreshed.output)")
            #expect(try device.snaps()["myawesomesnap"]?.current == revision, "\(refreshed.output)")
            let installed = device.folder.appendingPathComponent("snaps/myawesomesnap_\(revision).snap")
            let (digest, _) = try Digest.ofFile(at: installed.path, .sha3_384)
            let blob = try device.blob(ofRevision: revision).lastPathComponent
            #expect(Hex.encode(digest) == blob, "the installed file is revision \(revision)")
            let change = try AgentFaultTests.lastChange(device)
            #expect(change.status == .done, "\(change)")
            return try #require(change.tasks.first { $0.summary.hasPrefix("Download snap") }?.summary)
        }

        let first = try variant("first")
        _ = try refresh(to: first)

        let second = try variant("second")
        let delta = try makeDelta(first, second)
        let throughDelta = try refresh(to: second)
        #expect(
            throughDelta.contains("as a delta from revision \(first) (\(delta["size"] as? Int ?? -1) of "),
            "\(throughDelta)")
        #expect(
            !FileManager.default.fileExists(
                atPath: device.folder.appendingPathComponent("snaps/myawesomesnap_\(second).snap.partial.xdelta3").path),
            "the delta is removed once applied")

        // The store lost the delta's file: it answers 404, and the device takes the whole snap.
        let third = try variant("third")
        try FileManager.default.removeItem(at: try deltaBlob(try makeDelta(second, third)))
        let missing = try refresh(to: third)
        #expect(missing.contains("whole: the delta from revision \(second) failed"), "\(missing)")

        // A delta damaged on the store's disk does not make the revision's bytes.
        let fourth = try variant("fourth")
        let corrupt = try deltaBlob(try makeDelta(third, fourth))
        var bytes = try Data(contentsOf: corrupt)
        for index in stride(from: bytes.count / 3, to: bytes.count, by: 97) { bytes[index] ^= 0x5a }
        try bytes.write(to: corrupt)
        let spoiled = try refresh(to: fourth)
        #expect(spoiled.contains("whole: the delta from revision \(third)"), "\(spoiled)")

        // The device's own copy of its revision is not what the delta was made from.
        let fifth = try variant("fifth")
        _ = try makeDelta(fourth, fifth)
        let installed = device.folder.appendingPathComponent("snaps/myawesomesnap_\(fourth).snap")
        var held = try Data(contentsOf: installed)
        for index in stride(from: held.count / 4, to: held.count / 2, by: 4096) { held[index] ^= 0xff }
        try held.write(to: installed)
        let unapplied = try refresh(to: fifth)
        #expect(unapplied.contains("whole: the delta from revision \(fourth)"), "\(unapplied)")
    }
}

/// A fleet's release of a small change to a large snap: with deltas each device downloads a
/// fraction of the snap, and the store's counters agree with the devices'.
@Suite(
    .serialized,
    .enabled(if: SnapdSource.available && XDelta3.isAvailable, "needs snapd's source and xdelta3: run scripts/test"))
struct FleetDeltaTests {
    @Test func aFleetDownloadsDeltasInsteadOfWholeSnaps() async throws {
        let world = try await SerialVaultTests.World.make(serverArguments: ["--deltas"])
        defer { world.stop() }
        var generator = SplitMix64(seed: 11)
        let payload = Data((0..<(2 << 20)).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        func variant(_ tag: String, release: Bool) throws -> Int {
            try world.uploadVariant(of: "myawesomesnap", release: release) { folder in
                try payload.write(to: folder.appendingPathComponent("payload.bin"))
                try Data(tag.utf8).write(to: folder.appendingPathComponent("tag.txt"))
            }
        }
        let shipped = try variant("shipped", release: true)
        let image = try await world.imageArchive()
        let update = try variant("update", release: false)
        let listed = try world.store.snapdepot(["revisions", "myawesomesnap", "--json"])
        let revisions = try #require(
            try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]], "\(listed.output)")
        let snapSize = try #require(revisions.first { $0["revision"] as? Int == update }?["size"] as? Int)
        let scenario = world.fixture.folder.appendingPathComponent("delta-release.yaml")
        try Data(
            """
            name: delta-release
            snap: myawesomesnap
            steps:
              - release: {revision: \(update)}
              - wait: 1d
              - expect: {revision: \(update), at-least: 100%}
            """.utf8
        ).write(to: scenario)
        let devices = 30
        func fleet(_ deltas: String) throws -> FleetTests.Run {
            try FleetTests.fleet(
                [
                    "--store", world.server.url, "--image", image.path, "--scenario", scenario.path, "--devices",
                    String(devices), "--serial-prefix", "fleet\(deltas)", deltas,
                ], environment: ["SNAPDEPOT_TOKEN": world.server.adminToken])
        }
        let whole = try fleet("--no-deltas")
        #expect(whole.status == 0, "\(whole.output)")
        let wholeTraffic = whole.traffic["devices"] as? [String: Int] ?? [:]
        #expect(wholeTraffic["delta-downloads"] == 0 && (wholeTraffic["download-bytes"] ?? 0) >= devices * snapSize)

        // Back to the shipped revision, so that the second fleet's devices hold it until the
        // scenario releases the update again; the fleet has the store make the delta at that
        // release, not whenever the first release's background work happens to finish.
        let reverted = try world.store.snapdepot(["release", "myawesomesnap", String(shipped), "stable"])
        #expect(reverted.status == 0, "\(reverted.output)")
        let delta = try fleet("--deltas")
        #expect(delta.status == 0, "\(delta.output)")
        let made = try world.store.snapdepot(["deltas", "myawesomesnap", "--json"])
        let deltas = try JSONSerialization.jsonObject(with: Data(made.output.utf8)) as? [[String: Any]] ?? []
        #expect(
            deltas.contains {
                $0["source"] as? Int == shipped && $0["target"] as? Int == update && $0["announced"] as? Bool == true
            }, "\(made.output)")
        #expect(delta.traffic["matches"] as? Bool == true, "\(delta.traffic)")
        let deltaTraffic = delta.traffic["devices"] as? [String: Int] ?? [:]
        #expect(deltaTraffic["delta-downloads"] == devices, "\(deltaTraffic)")
        let perDevice = (deltaTraffic["download-bytes"] ?? .max) / devices
        #expect(perDevice * 20 < snapSize, "\(perDevice) bytes per device for a \(snapSize)-byte snap")
        #expect((delta.summary["revisions"] as? [String: Int])?[String(update)] == devices)
        #expect((delta.summary["revisions"] as? [String: Int])?[String(shipped)] == nil)
    }
}
