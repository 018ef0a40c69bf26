import ArgumentParser
import Assertions
import DeviceAgent
import Foundation
import SnapdepotCLI
import StoreCore

/// The device agent's full refresh cycle on loopback — the request with the installed set, the
/// download, SHA3-384, the assertion chain verified against the device's roots, the install with
/// its hooks looked for and the state written atomically, the re-refresh — for one device and for
/// many in one process, beside the store's own refresh rate in the same run.
struct AgentBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Full agent refresh cycles/s for 1 and N devices, beside the store's refresh rate."
    )

    @Option(help: "Devices refreshing at once in the fleet measurement.") var devices: Int = 64
    @Option(help: "Refreshes per device: each round releases a new revision and every device takes it.")
    var rounds: Int = 10
    @Option(help: "Seconds per store refresh measurement.") var seconds: Double = 5
    @Flag(help: "Print machine-readable JSON.") var json = false

    struct Figures: Encodable {
        var oneDevice: HTTPLoad.Figures
        var fleet: HTTPLoad.Figures
        var storeRefresh: [HTTPLoad.Figures] = []
    }

    func validate() throws {
        guard devices > 0, rounds > 0, seconds > 0 else {
            throw ValidationError("--devices, --rounds and --seconds must be positive")
        }
    }

    func run() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("snapdepot-agent-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        BenchSupport.progress(json, "creating a store with a brand, a model and \(2 * rounds + 2) revisions…")
        let world = try await BrandBenchWorld.make(in: work, brandKeyBits: 2048)
        // Every round brings a revision no device has: the full download and verification each time.
        var revisions: [Int] = []
        for round in 0..<(2 * rounds) {
            revisions.append(try await world.upload(version: "r\(round)", in: work).revision)
        }
        let (base, server) = try await HTTPLoad.serve(world.store)
        defer { server.cancel() }

        BenchSupport.progress(json, "making \(devices) devices: 1024-bit keys, registered, bench-app installed…")
        let agents = try await withThrowingTaskGroup(of: Agent.self) { group in
            for index in 0..<devices {
                group.addTask {
                    let folder = work.appendingPathComponent("device-\(index)")
                    _ = try await DeviceState.initialize(
                        folder: folder, model: world.model, store: base, roots: world.store.identity.trusted,
                        key: try PrivateKey.generate(bits: 1024))
                    let agent = try Agent.open(folder: folder)
                    try await agent.boot()
                    try await agent.install("bench-app")
                    return agent
                }
            }
            return try await group.reduce(into: [Agent]()) { $0.append($1) }
        }

        var next = revisions.makeIterator()
        func releaseNext() async throws {
            guard let revision = next.next() else { throw CLIError("out of revisions") }
            _ = try await world.store.release(
                name: "bench-app", revision: revision, channels: ["stable"], by: world.publisher)
        }
        func cycle(_ agent: Agent) async throws -> Double {
            let begin = Date()
            let report = try await agent.refresh()
            guard report.refreshed.count == 1, report.failed.isEmpty else {
                throw CLIError("a refresh did not move one snap: \(report)")
            }
            return Date().timeIntervalSince(begin) * 1000
        }

        BenchSupport.progress(json, "one device, \(rounds) refreshes…")
        var latencies: [Double] = []
        var started = Date()
        for _ in 0..<rounds {
            try await releaseNext()
            latencies.append(try await cycle(agents[0]))
        }
        let one = HTTPLoad.figures(latencies.sorted(), connections: 1, elapsed: Date().timeIntervalSince(started))

        BenchSupport.progress(json, "\(devices) devices at once, \(rounds) rounds…")
        latencies = []
        var elapsed = 0.0
        for _ in 0..<rounds {
            try await releaseNext()
            started = Date()
            latencies += try await withThrowingTaskGroup(of: Double.self) { group in
                for agent in agents { group.addTask { try await cycle(agent) } }
                return try await group.reduce(into: [Double]()) { $0.append($1) }
            }
            elapsed += Date().timeIntervalSince(started)
        }
        var figures = Figures(
            oneDevice: one, fleet: HTTPLoad.figures(latencies.sorted(), connections: devices, elapsed: elapsed))

        for loops in [1, devices] {
            BenchSupport.progress(json, "the store's own refresh, \(loops) connection(s), \(seconds) s…")
            figures.storeRefresh.append(
                try await HTTPLoad.run(connections: loops, seconds: seconds) { world.refreshRequest(base: base) })
        }

        if json { return try JSONOutput.print(figures) }
        func row(_ name: String, _ load: HTTPLoad.Figures) -> [String] {
            [
                name, String(load.connections), String(format: "%.1f", load.requestsPerSecond),
                String(format: "%.2f", load.p50Milliseconds), String(format: "%.2f", load.p99Milliseconds),
            ]
        }
        print(
            Table.render(
                ["what", "at once", "per second", "p50 ms", "p99 ms"],
                [
                    row("agent refresh cycle, one device", figures.oneDevice),
                    row("agent refresh cycle, \(devices) devices", figures.fleet),
                ] + figures.storeRefresh.map { row("store snap-action (request only)", $0) }))
    }
}
