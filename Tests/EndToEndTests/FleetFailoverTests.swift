import Foundation
import StoreTestSupport
import TestSupport
import Testing

/// A fleet mid-rollout behind a load balancer (Debian's nginx) in front of two replicas on one
/// PostgreSQL catalogue: one replica is killed with SIGKILL as the rollout begins, and the fleet
/// still converges through the other, with every device's download and report in the
/// catalogue.
@Suite(
    .serialized,
    .enabled(
        if: PostgresTestDatabase.server != nil && FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx"),
        "needs PostgreSQL and nginx: run scripts/test as root"))
struct FleetFailoverTests {
    /// nginx on a free loopback port, passing each request to one of `servers` and, when one
    /// cannot be reached, to the next (a refresh is a POST: retried too, as it changes nothing).
    final class Balancer {
        let process = Process()
        let url: String

        init(_ servers: [ServerProcess], folder: URL) throws {
            let port = try runCommand(
                "python3",
                [
                    "-c",
                    "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])",
                ]
            ).output.trimmingCharacters(in: .whitespacesAndNewlines)
            let prefix = folder.appendingPathComponent("nginx")
            try FileManager.default.createDirectory(
                at: prefix.appendingPathComponent("logs"), withIntermediateDirectories: true)
            let upstreams = servers.map {
                "server \($0.url.replacingOccurrences(of: "http://", with: "")) max_fails=1 fail_timeout=2s;"
            }
            let config = prefix.appendingPathComponent("nginx.conf")
            try Data(
                """
                \(getuid() == 0 ? "user root;" : "") daemon off; worker_processes 1; pid \(prefix.path)/nginx.pid;
                error_log \(prefix.path)/logs/error.log;
                events { worker_connections 1024; }
                http { access_log off; client_max_body_size 0;
                  client_body_temp_path \(prefix.path); proxy_temp_path \(prefix.path); fastcgi_temp_path \(prefix.path);
                  uwsgi_temp_path \(prefix.path); scgi_temp_path \(prefix.path);
                  upstream replicas { \(upstreams.joined(separator: " ")) }
                  server { listen 127.0.0.1:\(port);
                    location / { proxy_pass http://replicas; proxy_http_version 1.1; proxy_set_header Connection "";
                      proxy_set_header Host $http_host; proxy_buffering off;
                      proxy_next_upstream error timeout http_502 non_idempotent; } } }
                """.utf8
            ).write(to: config)
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
            process.arguments = ["-p", prefix.path, "-c", config.path]
            process.standardError = FileHandle.nullDevice
            try process.run()
            url = "http://127.0.0.1:\(port)"
            let deadline = Date().addingTimeInterval(20)
            while (try? runCommand("curl", ["-fsS", url + "/readyz"]).status) != 0, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.1)
            }
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    @Test func aReplicaKilledMidRolloutLeavesTheFleetConvergingThroughTheOther() async throws {
        let folder = try makeTemporaryDirectory("fleet-failover")
        let replicas = try FleetShardTests.Replicas(in: folder)
        defer { replicas.stop() }
        let balancer = try Balancer(replicas.servers, folder: folder)
        defer { balancer.stop() }
        let (first, second) = (replicas.servers[0], replicas.servers[1])

        // Three simulated days in about forty wall seconds, so that the kill lands mid-rollout.
        let fleet = Process()
        fleet.executableURL = ServerProcess.binary
        fleet.arguments = [
            "fleet", "run", "--store", balancer.url, "--scenario", FleetShardTests.scenario, "--devices", "60",
            "--seed", "5", "--speed", "6000", "--json",
        ]
        fleet.currentDirectoryURL = FleetTests.root
        fleet.environment = ProcessInfo.processInfo.environment.merging(["SNAPDEPOT_TOKEN": first.adminToken]) { $1 }
        let output = Pipe()
        let errors = Pipe()
        fleet.standardOutput = output
        fleet.standardError = errors
        try fleet.run()

        // The rollout begins with the release to the canary group: kill a replica then, with the
        // canary's day and the release to everyone (through the replica left) still to come.
        // Watched from a thread of its own: with other suites filling the cooperative pool, this
        // test's task can wait long enough for a turn that the fleet finishes unseen.
        let watch = KillWatch()
        let history = second.url + "/admin/v1/snaps/myawesomesnap/history"
        let token = second.adminToken
        Thread {
            let deadline = Date().addingTimeInterval(300)
            while fleet.isRunning, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
                guard let answer = try? runCommand("curl", ["-fsS", "-H", "Authorization: Bearer \(token)", history]),
                    answer.status == 0,
                    let events = try? JSONSerialization.jsonObject(with: Data(answer.output.utf8)) as? [[String: Any]]
                else { continue }
                // A release to a group is a rollout: recorded as progressive.
                if events.contains(where: { $0["revision"] as? Int == 2 && $0["group"] as? String == "canary" }) {
                    let running = fleet.isRunning
                    first.stop(SIGKILL)
                    watch.finish(killedWhileRunning: running)
                    return
                }
            }
            watch.finish(killedWhileRunning: nil)
        }.start()

        let summaryData = output.fileHandleForReading.readDataToEndOfFile()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        fleet.waitUntilExit()
        while watch.killedWhileRunning == .none { try await Task.sleep(for: .milliseconds(50)) }
        #expect(watch.killedWhileRunning != .some(nil), "the fleet never released to its canary group")
        #expect(watch.killedWhileRunning == true, "the fleet ended before the replica was killed")
        let summary = (try? JSONSerialization.jsonObject(with: summaryData) as? [String: Any]) ?? [:]
        #expect(fleet.terminationStatus == 0, "\(said)\n\(String(decoding: summaryData, as: UTF8.self))")
        #expect((summary["revisions"] as? [String: Int]) == ["2": 60], "\(summary["revisions"] ?? "-")")
        #expect(summary["devices-not-working"] as? Int == 0)

        // Nothing lost: the catalogue, through the replica left, holds every device, each with
        // revision 2 reported installed and its download of revision 2 recorded.
        func admin(_ path: String) throws -> Any {
            let answer = try runCommand("curl", ["-fsS", "-H", "Authorization: Bearer \(token)", second.url + path])
            try #require(answer.status == 0, "\(path): \(answer.output)")
            return try JSONSerialization.jsonObject(with: Data(answer.output.utf8))
        }
        let devices = try admin("/admin/v1/devices?brand=acme-brand") as? [[String: Any]] ?? []
        #expect(devices.count == 60)
        for device in devices {
            let serial = try #require(device["serial"] as? String)
            let detail = try admin("/admin/v1/devices/acme-brand/my-pi3-amd64/\(serial)") as? [String: Any] ?? [:]
            let installed = detail["installed"] as? [[String: Any]] ?? []
            #expect(
                installed.contains { $0["name"] as? String == "myawesomesnap" && $0["revision"] as? Int == 2 },
                "\(serial): \(installed)")
            let history = detail["history"] as? [[String: Any]] ?? []
            #expect(
                history.contains { $0["kind"] as? String == "downloaded" && $0["revision"] as? Int == 2 },
                "\(serial): \(history)")
        }
    }

    /// What the watching thread saw: nil while it watches; then whether the fleet was still
    /// running when the replica was killed (nil inside: the canary release never came).
    final class KillWatch: @unchecked Sendable {
        private let lock = NSLock()
        private var outcome: Bool??

        var killedWhileRunning: Bool?? { lock.withLock { outcome } }

        func finish(killedWhileRunning running: Bool?) {
            lock.withLock { outcome = .some(running) }
        }
    }
}
