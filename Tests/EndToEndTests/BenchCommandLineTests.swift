import ChildProcesses
import Foundation
import TestSupport
import Testing

/// The benchmark executable as a person runs it: options spelt as typed, and children that finish.
@Suite struct BenchCommandLineTests {
    static let bench = ServerProcess.binary.deletingLastPathComponent().appendingPathComponent("snapdepot-bench")

    /// Runs the benchmark off the test's thread: a long wait must not hold one of the two threads
    /// the other suites' async work runs on.
    static func runBench(_ arguments: [String]) async throws -> ChildProcess.Outcome {
        try await ChildProcess(bench.path, arguments).ended(timeout: .seconds(900))
    }

    /// Every long option of both executables, from ArgumentParser's own dump of the command tree.
    @Test(arguments: ["snapdepot", "snapdepot-bench"])
    func everyOptionIsSpeltAsAPersonTypesIt(_ executable: String) throws {
        let binary = ServerProcess.binary.deletingLastPathComponent().appendingPathComponent(executable)
        let dump = try runCommand(binary.path, ["--experimental-dump-help"])
        try #require(dump.status == 0, "\(dump.output)")
        let tree = try #require(try JSONSerialization.jsonObject(with: Data(dump.output.utf8)) as? [String: Any])
        var names: Set<String> = []
        func walk(_ command: [String: Any]) {
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                for name in argument["names"] as? [[String: Any]] ?? [] where name["kind"] as? String == "long" {
                    if let text = name["name"] as? String { names.insert(text) }
                }
            }
            for sub in command["subcommands"] as? [[String: Any]] ?? [] { walk(sub) }
        }
        walk(try #require(tree["command"] as? [String: Any]))
        #expect(names.count > 10, "\(names)")
        // ArgumentParser splits `sizeMiB` into `--size-mi-b`: a one-letter word is such a split.
        let split = names.filter { $0.split(separator: "-").contains { $0.count == 1 } }
        #expect(split.isEmpty, "options no one would type: \(split.sorted())")
    }

    /// `openssl speed` times itself with SIGALRM; started from a thread that blocked it, it never ended.
    @Test func theCryptoBenchmarkFinishesWithOpenSSLFiguresBesideItsOwn() async throws {
        let result = try await Self.runBench(["crypto", "--seconds", "1", "--size-mib", "2", "--json"])
        try #require(result.succeeded, "\(result.output)")
        let start = try #require(result.output.firstIndex(of: "{"))
        let figures = try #require(
            try JSONSerialization.jsonObject(with: Data(result.output[start...].utf8)) as? [String: Any])
        for key in ["rsa4096-sign-per-second", "openssl-rsa4096-sign-per-second", "openssl-rsa4096-verify-per-second"] {
            #expect((figures[key] as? Double ?? 0) > 0, "\(key): \(figures)")
        }
    }
}

extension BenchCommandLineTests {
    /// `bench device` on a small scale: snapdepot, nginx and snapd's fakestore each driven by wrk,
    /// every load answered without error, and the downloads checked byte for byte before the loads.
    @Test func theDeviceBenchmarkDrivesEveryServerWithWrk() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk")
                && FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx"),
            "wrk and nginx are installed by .ci/install-deps")
        let fakestore = try #require(
            ProcessInfo.processInfo.environment["SNAPDEPOT_FAKESTORE"], "scripts/test builds snapd's fakestore")
        let result = try await Self.runBench([
            "device", "--snaps", "40", "--seconds", "1", "--rounds", "2", "--download-mib", "1", "--fakestore",
            fakestore,
            "--json",
        ])
        try #require(result.succeeded, "\(result.output)")
        let start = try #require(result.output.firstIndex(of: "{"))
        let figures = try #require(
            try JSONSerialization.jsonObject(with: Data(result.output[start...].utf8)) as? [String: Any])
        let loads = try #require(figures["loads"] as? [[String: Any]])
        func load(_ server: String, _ request: String, _ connections: Int) -> [String: Any]? {
            loads.first {
                $0["server"] as? String == server && $0["request"] as? String == request
                    && $0["connections"] as? Int == connections
            }
        }
        for connections in [1, 64] {
            for request in ["/readyz", "refresh, 1 snap", "refresh, 20 snaps"] {
                let figures = try #require(load("snapdepot", request, connections), "\(request) at \(connections)")
                #expect((figures["requests-per-second"] as? Double ?? 0) > 0 && figures["errors"] as? Int == 0)
            }
            #expect(load("nginx", "/readyz", connections) != nil)
            #expect(load("fakestore", "refresh, 1 snap", connections) != nil)
        }
        for server in ["snapdepot", "nginx", "fakestore"] {
            for request in ["download 1MiB", "download 1MiB from the middle"] {
                let figures = try #require(load(server, request, 4), "\(server) \(request)")
                #expect((figures["mebibytes-per-second"] as? Double ?? 0) > 0, "\(server) \(request)")
            }
        }
        #expect(figures["rounds"] as? Int == 2)
        // Every load carries each round's rate, and its own is the median round's.
        for load in loads {
            let rates = load["round-rates"] as? [Double] ?? []
            #expect(
                rates.count == 2 && rates.contains(load["requests-per-second"] as? Double ?? -1),
                "\(load["server"] ?? "") \(load["request"] ?? "")")
        }
        let memory = try #require(figures["server-memory"] as? [String: Int])
        #expect(memory["after-refresh-load"] ?? 0 > 1 << 20 && memory["peak"] ?? 0 >= memory["after-start"] ?? 0)
    }

    /// `bench device --compare`: two builds (here the same one twice) served from copies of one
    /// store, every load interleaved, the answers compared; a binary that is not one is refused.
    @Test func theDeviceBenchmarkComparesTwoBuildsInterleaved() async throws {
        try #require(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk"), "wrk is installed by .ci/install-deps")
        let result = try await Self.runBench([
            "device", "--compare", ServerProcess.binary.path, "--rounds", "2", "--snaps", "40", "--seconds", "1",
            "--download-mib", "1", "--json",
        ])
        try #require(result.succeeded, "\(result.output)")
        let start = try #require(result.output.firstIndex(of: "{"))
        let figures = try #require(
            try JSONSerialization.jsonObject(with: Data(result.output[start...].utf8)) as? [String: Any])
        #expect(figures["same-answers"] as? Bool == true)
        let comparisons = try #require(figures["comparisons"] as? [[String: Any]])
        #expect(comparisons.count == 10)
        for comparison in comparisons {
            let this = comparison["this-build"] as? [String: Any]
            let other = comparison["other-build"] as? [String: Any]
            #expect(
                (this?["requests-per-second"] as? Double ?? 0) > 0
                    && (other?["requests-per-second"] as? Double ?? 0) > 0
                    && ((comparison["ratio"] as? [String: Any])?["median"] as? Double ?? 0) > 0
                    && comparison["rounds"] as? Int == 2,
                "\(comparison)")
        }
        let refused = try await Self.runBench(["device", "--compare", "/nonexistent/snapdepot"])
        #expect(!refused.succeeded && refused.output.contains("--compare needs an executable"), "\(refused.output)")
    }

    /// The identity benchmark against `serve` in its own process: every session opened is used,
    /// and the server's memory is its own.
    @Test func theVaultBenchmarkOpensSessionsOnAServedStore() async throws {
        let result = try await Self.runBench([
            "vault", "--devices", "3", "--sessions", "12", "--connections", "2", "--brand-key-bits", "2048",
            "--seconds", "1", "--json",
        ])
        try #require(result.succeeded, "\(result.output)")
        let start = try #require(result.output.firstIndex(of: "{"))
        let figures = try #require(
            try JSONSerialization.jsonObject(with: Data(result.output[start...].utf8)) as? [String: Any])
        let withSession = try #require(figures["refresh-with-session"] as? [[String: Any]])
        #expect(withSession.count == 2 && withSession.allSatisfy { ($0["requests-per-second"] as? Double ?? 0) > 0 })
        // wrk drove them, every session was accepted, and the server's CPU was read per request.
        #expect(
            withSession.allSatisfy {
                $0["errors"] as? Int == 0 && ($0["server-cpu-microseconds-per-request"] as? Double ?? 0) > 0
            }, "\(withSession)")
        let memory = try #require(figures["server-memory"] as? [String: Int])
        #expect(memory["after-sessions"] ?? 0 > 1 << 20 && memory["peak"] ?? 0 >= memory["after-start"] ?? 0)
    }
}
