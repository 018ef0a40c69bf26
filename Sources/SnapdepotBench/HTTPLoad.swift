import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import SnapdepotCLI
import StoreCore
import StoreHTTP

/// Load on a store served in process on loopback: the benchmarks' server and their request loops.
enum HTTPLoad {
    struct Figures: Encodable {
        let connections: Int
        let requestsPerSecond: Double
        let p50Milliseconds: Double
        let p99Milliseconds: Double
    }

    /// Serves `store` on a free loopback port; returns its base URL and the task to cancel.
    static func serve(_ store: SnapStore) async throws -> (base: String, server: Task<Void, any Error>) {
        let router = StoreServer(store: store, host: "127.0.0.1", port: 0).makeRouter()
        let port = PortBox()
        // Quiet: request logs would cost time in the measurement, and stopping by cancellation logs an error.
        var quiet = Logger(label: "snapdepot-bench")
        quiet.logLevel = .critical
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in await port.set(channel.localAddress?.port ?? 0) }, logger: quiet)
        let server = Task { try await app.run() }
        return ("http://127.0.0.1:\(await port.wait())", server)
    }

    /// Runs requests on `connections` concurrent loops for `seconds`; latencies from each answer.
    static func run(
        connections: Int, seconds: Double, _ make: @escaping @Sendable () async throws -> HTTPClientRequest
    ) async throws -> Figures {
        let started = Date()
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for _ in 0..<connections {
                group.addTask {
                    var samples: [Double] = []
                    while Date().timeIntervalSince(started) < seconds {
                        let request = try await make()
                        let begin = Date()
                        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                        _ = try await response.body.collect(upTo: 16 << 20)
                        guard response.status == .ok else { throw CLIError("the benchmark got \(response.status)") }
                        samples.append(Date().timeIntervalSince(begin) * 1000)
                    }
                    return samples
                }
            }
            return try await group.reduce(into: [Double]()) { $0 += $1 }.sorted()
        }
        return figures(latencies, connections: connections, elapsed: Date().timeIntervalSince(started))
    }

    /// Rates and percentiles of sorted latencies (ms) measured over `elapsed` seconds.
    static func figures(_ latencies: [Double], connections: Int, elapsed: Double) -> Figures {
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? 0 : latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))]
        }
        return Figures(
            connections: connections, requestsPerSecond: Double(latencies.count) / elapsed,
            p50Milliseconds: percentile(0.5), p99Milliseconds: percentile(0.99))
    }
}

/// The port the benchmark's in-process server bound.
actor PortBox {
    private var port: Int?
    private var waiters: [CheckedContinuation<Int, Never>] = []

    func set(_ value: Int) {
        port = value
        waiters.forEach { $0.resume(returning: value) }
        waiters = []
    }

    func wait() async -> Int {
        if let port { return port }
        return await withCheckedContinuation { waiters.append($0) }
    }
}
