import DeviceAgent
import Foundation
import StoreProtocol
import TestSupport
import Testing

/// The agent's refresh request beside the one snapd's own `store.SnapAction` sends for the same
/// installed set, as the same registered device, both recorded by a proxy in front of snapdepot.
@Suite(.serialized, .enabled(if: SnapdSource.available, "needs snapd's source: run scripts/test"))
struct AgentRequestTests {
    typealias Device = AgentTests.Device

    /// Headers that may differ, and why (docs/agent.md lists them): the product in the User-Agent,
    /// each side's own device session, Go's transport asking for gzip, and the body's length.
    static let documentedHeaderDifferences: Set<String> = [
        "user-agent", "snap-device-authorization", "accept-encoding", "content-length",
    ]

    static func json(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func theAgentsRefreshRequestIsSnapdsFieldByField() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        let proxy = try await FaultyStore(upstream: device.world.server.url)
        try #require(try device.agent(["boot"]).status == 0)
        try #require(try device.agent(["switch", "myawesomesnap", "--channel", "candidate"]).status == 0)
        try #require(try await device.agentOffThread(["run", "--once", "--store", proxy.url]).status == 0)
        let agent = try #require(
            proxy.recorded("/v2/snaps/refresh").first {
                ((try? Self.json($0.body))?["context"] as? [Any])?.isEmpty == false
            })
        let body = try Self.json(agent.body)
        let context = try #require(body["context"] as? [[String: Any]])
        let state = try Agent.open(folder: device.folder).state()

        let spec: [String: Any] = [
            "url": proxy.url,
            "device-key": device.folder.appendingPathComponent("device-key.pem").path,
            "serial": device.folder.appendingPathComponent("assertions/serial.assert").path,
            "model": device.folder.appendingPathComponent("assertions/model.assert").path,
            "snaps": try context.map { entry in
                let snapID = try #require(entry["snap-id"] as? String)
                return [
                    "name": try #require(state.snaps.first { $0.snapID == snapID }?.name), "snap-id": snapID,
                    "revision": entry["revision"] ?? 0, "channel": entry["tracking-channel"] ?? "",
                    "epoch": entry["epoch"] ?? NSNull(), "refreshed-date": entry["refreshed-date"] ?? "",
                ]
            },
        ]
        let specFile = device.world.fixture.folder.appendingPathComponent("snap-action.json")
        try JSONSerialization.data(withJSONObject: spec).write(to: specFile)
        let checker = try #require(SnapdSource.checker)
        let sent = try await Device.offThread { try runCommand(checker, ["snap-action-request", specFile.path]) }
        try #require(sent.status == 0, "\(sent.output)")
        let snapd = try #require(proxy.recorded("/v2/snaps/refresh").last)
        let snapdBody = try Self.json(snapd.body)

        // The body, key by key.
        #expect(Set(body.keys) == Set(snapdBody.keys), "top-level keys: \(body.keys) vs \(snapdBody.keys)")
        #expect(Set(body["fields"] as? [String] ?? []) == Set(snapdBody["fields"] as? [String] ?? []))
        func bySnapID(_ list: Any?) -> [String: NSDictionary] {
            Dictionary(
                uniqueKeysWithValues: (list as? [[String: Any]] ?? []).map {
                    ($0["snap-id"] as? String ?? "", NSDictionary(dictionary: $0))
                })
        }
        let ours = bySnapID(body["context"])
        let theirs = bySnapID(snapdBody["context"])
        #expect(ours.count == 5 && Set(ours.keys) == Set(theirs.keys))
        for (snapID, entry) in ours {
            let snapdEntry = try #require(theirs[snapID])
            #expect(Set(entry.allKeys as? [String] ?? []) == Set(snapdEntry.allKeys as? [String] ?? []), "\(snapID)")
            for key in ["snap-id", "instance-key", "revision", "tracking-channel", "epoch", "refreshed-date"] {
                #expect(entry[key] as? NSObject == snapdEntry[key] as? NSObject, "\(snapID) \(key)")
            }
        }
        #expect(
            bySnapID(body["actions"]) == bySnapID(snapdBody["actions"]),
            "actions: ours \(String(decoding: agent.body, as: UTF8.self)), snapd's \(String(decoding: snapd.body, as: UTF8.self))"
        )

        // The headers: every one snapd sends, the same, but for the documented differences.
        let names = Set(agent.headers.keys).union(snapd.headers.keys).subtracting(Self.documentedHeaderDifferences)
        for name in names.sorted() {
            #expect(
                agent.headers[name] == snapd.headers[name],
                "\(name): ours \(agent.headers[name] ?? "none"), snapd's \(snapd.headers[name] ?? "none")")
        }
        #expect(snapd.headers["snap-refresh-reason"] == "scheduled")
        // Only the product differs: `snapd/2.57.6 (series 16) ubuntu-core/16 (amd64) linux/…`.
        let userAgents = [agent.headers["user-agent"], snapd.headers["user-agent"]].map {
            $0?.split(separator: " ", maxSplits: 1).map(String.init)
        }
        #expect(userAgents[0]?.first == "snapdepot-agent/1" && userAgents[1]?.first == "snapd/2.57.6")
        #expect(userAgents[0]?.last == userAgents[1]?.last, "\(userAgents)")
        for session in [agent.headers["snap-device-authorization"], snapd.headers["snap-device-authorization"]] {
            #expect(session?.hasPrefix("Macaroon root=\"") == true)
        }
    }
}
