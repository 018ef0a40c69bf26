import Foundation
import TestSupport
import Testing

/// `GET /metrics` of a served store with a registered device, a rollout and a fault, read by
/// Prometheus' own Python client (`prometheus_client.parser`, from PyPI) as a scraper reads it.
@Suite(
    .serialized,
    .enabled(
        if: SnapdSource.available && ProcessInfo.processInfo.environment["SNAPDEPOT_METRICS_PYTHON"] != nil,
        "needs snapd's source and prometheus_client: run scripts/test"))
struct MetricsTests {
    typealias Device = AgentTests.Device
    /// Family name → (type, samples as name, labels, value).
    typealias Families = [String: (type: String, samples: [(name: String, labels: [String: String], value: Double)])]

    static func scrape(_ device: Device, token: String) async throws -> Families {
        let reply = try await device.world.server.request(.GET, "/metrics", token: token)
        try #require(reply.status == 200, "\(reply.status) \(reply.text)")
        #expect(reply.headers.first(name: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let file = device.world.fixture.folder.appendingPathComponent("metrics-\(UUID().uuidString).txt")
        try reply.body.write(to: file)
        let python = try #require(ProcessInfo.processInfo.environment["SNAPDEPOT_METRICS_PYTHON"])
        let script = SeedDataTests.seedData.deletingLastPathComponent().appendingPathComponent(
            "interop/parse_metrics.py")
        let parsed = try runCommand("/bin/sh", ["-c", #"exec "$0" "$1" < "$2""#, python, script.path, file.path])
        try #require(parsed.status == 0, "prometheus_client refused the exposition: \(parsed.output)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(parsed.output.utf8)) as? [String: Any])
        var families: Families = [:]
        for (name, value) in json {
            let family = try #require(value as? [String: Any])
            let samples = (family["samples"] as? [[Any]] ?? []).compactMap {
                sample -> (String, [String: String], Double)? in
                guard sample.count == 3, let name = sample[0] as? String, let labels = sample[1] as? [String: String],
                    let value = (sample[2] as? NSNumber)?.doubleValue
                else { return nil }
                return (name, labels, value)
            }
            families[name] = (family["type"] as? String ?? "", samples.map { (name: $0.0, labels: $0.1, value: $0.2) })
        }
        return families
    }

    static func value(_ families: Families, _ family: String, sample: String? = nil, _ labels: [String: String] = [:])
        -> Double?
    {
        families[family]?.samples.first { found in
            found.name == (sample ?? family) && labels.allSatisfy { found.labels[$0.key] == $0.value }
        }?.value
    }

    @Test func aScrapeShowsTheStoreItsDevicesAndItsRollouts() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        let server = device.world.server
        let admin = server.adminToken
        try #require(try device.agent(["boot"]).status == 0)
        try #require(try device.agent(["refresh"]).status == 0)
        let released = try await server.json(
            .POST, "/admin/v1/snaps/myawesomesnap/releases", token: admin,
            ["revision": 2, "channels": ["stable"], "progressive": 50])
        try #require(released.status == 200, "\(released.text)")
        let fault = try await server.json(
            .POST, "/admin/v1/faults", token: admin, ["kind": "delay", "endpoint": "download", "delay-ms": 1])
        try #require((200..<300).contains(fault.status), "\(fault.text)")

        // The admin's, and nobody else's.
        #expect(try await server.request(.GET, "/metrics").status == 401)
        let tokens = try await server.json(
            .POST, "/admin/v1/accounts/acme-brand/tokens", token: admin, ["description": "brand"])
        let brand = try #require(try tokens.json()["token"] as? String, "\(tokens.text)")
        #expect(try await server.request(.GET, "/metrics", token: brand).status == 403)

        let families = try await Self.scrape(device, token: admin)
        #expect(Self.value(families, "snapdepot_devices", ["brand": "acme-brand", "model": "my-pi3-amd64"]) == 1)
        let installed = try #require(device.snaps()["myawesomesnap"]?.current)
        #expect(
            Self.value(
                families, "snapdepot_device_snap_revisions", ["snap": "myawesomesnap", "revision": String(installed)])
                == 1, "\(families["snapdepot_device_snap_revisions"].map { "\($0.samples)" } ?? "none")")
        let rollout = ["snap": "myawesomesnap", "channel": "latest/stable", "revision": "2"]
        #expect(Self.value(families, "snapdepot_rollout_percentage", rollout) == 50, "\(families.keys.sorted())")
        #expect(Self.value(families, "snapdepot_rollout_halted", rollout) == 0)
        #expect(Self.value(families, "snapdepot_fault_firings", ["kind": "delay", "endpoint": "download"]) == 0)
        #expect(Self.value(families, "snapdepot_serials", sample: "snapdepot_serials_total") == 1)
        #expect(
            (Self.value(families, "snapdepot_device_sessions", sample: "snapdepot_device_sessions_total") ?? 0) >= 1)
        #expect((Self.value(families, "snapdepot_snap_actions", sample: "snapdepot_snap_actions_total") ?? 0) >= 1)
        #expect((Self.value(families, "snapdepot_snaps") ?? 0) >= 3)
        // Requests by route, method and status, with their latency as a histogram.
        let refreshes = ["route": "/v2/snaps/refresh", "method": "POST", "status": "200"]
        #expect(
            (Self.value(families, "snapdepot_http_requests", sample: "snapdepot_http_requests_total", refreshes) ?? 0)
                >= 1, "\(families.keys.sorted())")
        #expect(families["snapdepot_http_request_duration_seconds"]?.type == "histogram")
        #expect(
            (Self.value(
                families, "snapdepot_http_request_duration_seconds",
                sample: "snapdepot_http_request_duration_seconds_count", refreshes) ?? 0) >= 1)
        #expect(
            Self.value(
                families, "snapdepot_http_requests", sample: "snapdepot_http_requests_total",
                ["route": "/metrics", "status": "401"]) == 1)

        // A completed rollout leaves the scrape.
        let completed = try await server.json(
            .POST, "/admin/v1/snaps/myawesomesnap/rollouts", token: admin,
            ["channel": "stable", "action": "complete"])
        try #require(completed.status == 200, "\(completed.text)")
        let after = try await Self.scrape(device, token: admin)
        #expect(Self.value(after, "snapdepot_rollout_percentage", rollout) == nil)
    }
}
