import AsyncHTTPClient
import ChildProcesses
import Foundation
import NIOCore
import NIOHTTP1
import StoreTestSupport
import TestSupport
import Testing

/// `snapdepot demo` as a newcomer starts it: one command, a store with the workshop's world, a
/// fleet updating from it, the dashboard; Ctrl-C ends all of it, and the next start reuses the folder.
@Suite(.serialized)
struct DemoTests {
    /// The demo running as a child process, its output in files the test reads.
    struct Demo {
        let process: ChildProcess
        let output: String
        let url: String

        static func start(data: String) async throws -> Demo {
            let output = data + "-\(UUID().uuidString).out"
            let process = try ChildProcess(
                ServerProcess.binary.path,
                [
                    "demo", "--data", data, "--listen", "127.0.0.1:0", "--devices", "3", "--speed", "3600",
                    "--seed-data", SeedDataTests.seedData.path,
                ], output: .file(output))
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(300)
            while clock.now < deadline, process.isRunning {
                let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
                if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("dashboard: ") }) {
                    let url = String(line.dropFirst("dashboard: ".count).dropLast())
                    return Demo(process: process, output: output, url: url)
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            process.signal(SIGKILL)
            throw ServerError("the demo did not start: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
        }

        var text: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

        /// Ctrl-C, as a person stops it; how it ended.
        func interrupt() async -> ChildProcess.Outcome {
            process.signal(SIGINT)
            return await process.ended(timeout: .seconds(60))
        }
    }

    static func get(
        _ url: String, token: String? = nil, accept: String? = nil, post json: String? = nil
    ) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        if let json {
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let accept { request.headers.add(name: "Accept", value: accept) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// Polls until `condition` holds, up to `seconds`.
    static func eventually(_ seconds: Int, _ condition: () async throws -> Bool) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(seconds)
        while clock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(500))
        }
        return try await condition()
    }

    @Test func oneCommandServesTheWorldWithAFleetUpdatingAndStopsCleanly() async throws {
        let folder = try makeTemporaryDirectory("demo")
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = folder.appendingPathComponent("snapdepot-demo").path
        let demo = try await Demo.start(data: data)
        let token = try String(contentsOfFile: data + "/admin-token", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(demo.text.contains("export SNAPPY_FORCE_API_URL=\(demo.url)/"), "\(demo.text)")
        #expect(demo.text.contains("export SNAPDEPOT_TOKEN=$(cat \(data)/admin-token)"))
        #expect(!demo.text.contains(token), "the token is never printed")

        #expect(try await Self.get(demo.url + "/readyz").0 == 200)
        let (status, page) = try await Self.get(demo.url + "/", accept: "text/html")
        #expect(status == 200 && page.contains("<title>Overview · snapdepot</title>"), "the dashboard")
        let models = try await Self.get(demo.url + "/dashboard/models", accept: "text/html")
        #expect(models.1.contains("my-pi3-amd64"), "the dashboard shows the world's models")

        // The fleet boots, registers with the vault and reports what it runs.
        let devices = "\(demo.url)/admin/v1/devices?brand=acme-brand&model=my-pi3-amd64"
        func registered() async throws -> [[String: Any]] {
            let (_, body) = try await Self.get(devices, token: token)
            return (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]]) ?? []
        }
        #expect(try await Self.eventually(240) { try await registered().count == 3 }, "\(demo.text)")

        // A release reaches the fleet without anyone touching it.
        let release = try await Self.get(
            demo.url + "/admin/v1/snaps/myawesomesnap/releases", token: token,
            post: #"{"revision": 2, "channels": ["stable"]}"#)
        #expect(release.0 == 200, "\(release.1)")
        func runs(_ serial: String) async throws -> Int? {
            let (_, body) = try await Self.get(
                "\(demo.url)/admin/v1/devices/acme-brand/my-pi3-amd64/\(serial)", token: token)
            let detail = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:]
            let installed = detail["installed"] as? [[String: Any]] ?? []
            return installed.first { $0["name"] as? String == "myawesomesnap" }?["revision"] as? Int
        }
        #expect(
            try await Self.eventually(240) {
                var all = true
                for serial in ["demo-1", "demo-2", "demo-3"] where try await runs(serial) != 2 { all = false }
                return all
            }, "\(demo.text)")

        let ended = await demo.interrupt()
        #expect(ended.status == 0 && ended.signal == nil && !ended.timedOut, "\(demo.text)")
        #expect(demo.text.contains("demo stopped"))
        await #expect(throws: (any Error).self, "nothing listens any more") {
            _ = try await Self.get(demo.url + "/readyz")
        }

        // The second start reuses the folder with a new batch of devices; the first batch stays in the inventory.
        let again = try await Demo.start(data: data)
        #expect(again.text.contains("reusing \(data)"), "\(again.text)")
        #expect(
            try await Self.eventually(240) { again.text.contains("3/3 registered") }, "\(again.text)")
        let list = try await Self.get(
            "\(again.url)/admin/v1/devices?brand=acme-brand&model=my-pi3-amd64", token: token)
        let serials = ((try? JSONSerialization.jsonObject(with: Data(list.1.utf8)) as? [[String: Any]]) ?? [])
            .compactMap { $0["serial"] as? String }
        #expect(Set(serials) == ["demo-1", "demo-2", "demo-3", "demo2-1", "demo2-2", "demo2-3"], "\(list.1)")
        let stopped = await again.interrupt()
        #expect(stopped.status == 0 && !stopped.timedOut, "\(again.text)")
    }
}
