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
