import Foundation
import StoreTestSupport
import TestSupport
import Testing

/// A fleet split in shards (`fleet run --shard K/N`), each its own process, against two store
/// replicas on one PostgreSQL catalogue, as a rehearsal too large for one machine runs: merged
/// (`fleet merge`), it is the run one process makes of the same seed and scenario.
@Suite(.serialized) struct FleetShardTests {
    static let scenario = FleetTests.scenarios.appendingPathComponent("canary-then-everyone.yaml").path
    static let common = ["--scenario", scenario, "--devices", "90", "--seed", "7", "--offline-per-day", "0.2"]

    /// Two replicas of a store loaded with seed-data/, on a fresh PostgreSQL database.
    struct Replicas {
        let database: PostgresTestDatabase
        let servers: [ServerProcess]

        init(in folder: URL) throws {
            database = try PostgresTestDatabase.make()
            var components = try #require(PostgresTestDatabase.server.flatMap { URLComponents(string: $0) })
            components.path = "/" + database.location.database
            let url = try #require(components.string)
            let data = folder.appendingPathComponent("shared").path
            let loaded = try runCommand(
                ServerProcess.binary.path,
                [
                    "seed-data", "load", "--data", data, "--seed-data",
                    FleetTests.root.appendingPathComponent("seed-data").path,
                    "--key-bits", "2048", "--database", url,
                ])
            try #require(loaded.status == 0, "\(loaded.output)")
            let arguments = ["--database", url, "--deltas"]
            let first = try ServerProcess(data: data, extraArguments: arguments)
            servers = [first, try ServerProcess(data: data, extraArguments: arguments)]
        }

        func stop() {
            for server in servers { server.stop() }
            database.drop()
        }
    }

    /// Starts every shard at once, each against its store in turn, and returns their JSON
    /// summaries' paths with the processes; `arguments(K)` are shard K's besides the shard's own.
    static func shards(
        _ count: Int, run: String, servers: [ServerProcess], folder: URL, arguments: (Int) -> [String] = { _ in common }
    ) throws -> [(summary: String, process: Process, errors: Pipe)] {
        try (1...count).map { index in
            let server = servers[(index - 1) % servers.count]
            let summary = folder.appendingPathComponent("\(run)-\(index).json").path
            _ = FileManager.default.createFile(atPath: summary, contents: nil)
            let process = Process()
            process.executableURL = ServerProcess.binary
            process.arguments =
                ["fleet", "run", "--store", server.url, "--shard", "\(index)/\(count)", "--run", run, "--json"]
                + arguments(index)
            process.currentDirectoryURL = FleetTests.root
            process.environment = ProcessInfo.processInfo.environment.merging(["SNAPDEPOT_TOKEN": server.adminToken]) {
                $1
            }
            process.standardOutput = FileHandle(forWritingAtPath: summary)
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            return (summary, process, errors)
        }
    }

    /// Waits for the shards; their exit statuses and what each said.
    static func wait(_ shards: [(summary: String, process: Process, errors: Pipe)]) -> [(Int32, String)] {
        shards.map { _, process, errors in
            let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, said)
        }
    }

    @Test(.enabled(if: PostgresTestDatabase.server != nil, "needs PostgreSQL: run scripts/test as root"))
    func threeShardsAgainstTwoReplicasMakeTheRunOneProcessMakes() async throws {
        let folder = try makeTemporaryDirectory("fleet-shards")
        let csv = folder.appendingPathComponent("one.csv").path
        let one = try FleetTests.fleet(Self.common + ["--csv", csv])
        try #require(one.status == 0, "\(one.output)")

        let replicas = try Replicas(in: folder)
        defer { replicas.stop() }
        let started = try Self.shards(3, run: "rehearsal-one", servers: replicas.servers, folder: folder)
        for (status, said) in Self.wait(started) { #expect(status == 0, "\(said)") }
        let mergedCSV = folder.appendingPathComponent("merged.csv").path
        let merged = try runCommand(
            ServerProcess.binary.path, ["fleet", "merge"] + started.map(\.summary) + ["--csv", mergedCSV, "--json"])
        try #require(merged.status == 0, "\(merged.output)")
        let whole = (try JSONSerialization.jsonObject(with: Data(merged.output.utf8)) as? [String: Any]) ?? [:]

        // The same devices did the same things at the same simulated times.
        for key in ["devices", "registered", "revisions", "time-to", "offline-skips", "bytes-downloaded", "reverts"] {
            #expect(
                (whole[key] as? NSObject) == (one.summary[key] as? NSObject),
                "\(key): shards \(whole[key] ?? "-"), one process \(one.summary[key] ?? "-")")
        }
        let expectations = whole["expectations"] as? [[String: Any]] ?? []
        #expect(expectations.map { $0["found"] as? String } == one.expectations.map { $0["found"] as? String })
        #expect(!expectations.isEmpty && expectations.allSatisfy { $0["passed"] as? Bool == true })
        #expect(
            try String(contentsOfFile: mergedCSV, encoding: .utf8) == (try String(contentsOfFile: csv, encoding: .utf8))
        )
        // Every download is accounted for: what the two replicas counted (each once, though two
        // shards drove one of them) is what the three shards' devices sent, summed.
        let traffic = whole["traffic"] as? [String: Any] ?? [:]
        #expect(traffic["matches"] as? Bool == true, "\(traffic)")
        let devices = traffic["devices"] as? [String: Int] ?? [:]
        #expect(devices["serials"] == 90 && devices["downloads"] == 90, "\(devices)")
    }

    /// A run's name used twice, shards that disagree, a merge missing a shard and a shard without
    /// a store are each refused with the reason, against a store on the embedded SQLite catalogue.
    @Test func badShardsAreRefusedWithTheReason() async throws {
        let folder = try makeTemporaryDirectory("fleet-shards-bad")
        let data = folder.appendingPathComponent("data").path
        let loaded = try runCommand(
            ServerProcess.binary.path,
            [
                "seed-data", "load", "--data", data, "--seed-data",
                FleetTests.root.appendingPathComponent("seed-data").path,
                "--key-bits", "2048",
            ])
        try #require(loaded.status == 0, "\(loaded.output)")
        let server = try ServerProcess(data: data)
        defer { server.stop() }
        let small = ["--devices", "6", "--duration", "2h"]

        let first = try Self.shards(2, run: "small", servers: [server], folder: folder) { _ in small }
        for (status, said) in Self.wait(first) { #expect(status == 0, "\(said)") }
        let merged = try runCommand(ServerProcess.binary.path, ["fleet", "merge", first[0].summary, first[1].summary])
        #expect(merged.status == 0 && merged.output.contains("6 devices (6 registered)"), "\(merged.output)")

        let again = Self.wait(try Self.shards(1, run: "small", servers: [server], folder: folder) { _ in small })
        #expect(again[0].0 != 0 && again[0].1.contains("was used before"), "\(again[0].1)")

        let missing = try runCommand(ServerProcess.binary.path, ["fleet", "merge", first[1].summary])
        #expect(missing.status != 0 && missing.output.contains("has 2 shards"), "\(missing.output)")

        let disagreeing = Self.wait(
            try Self.shards(2, run: "seeds", servers: [server], folder: folder) { index in
                small + ["--seed", String(index)]
            })
        #expect(disagreeing[0].0 != 0 && disagreeing[0].1.contains("run every shard alike"), "\(disagreeing[0].1)")
        #expect(
            disagreeing[1].0 != 0 && disagreeing[1].1.contains("shard 1 could not apply step 0"), "\(disagreeing[1].1)")

        let storeless = try runCommand(ServerProcess.binary.path, ["fleet", "run", "--shard", "1/2", "--run", "x"])
        #expect(storeless.status != 0 && storeless.output.contains("--shard needs --store"), "\(storeless.output)")
    }
}
