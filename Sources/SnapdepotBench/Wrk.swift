import ChildProcesses
import Foundation
import SnapdepotCLI
import Synchronization

/// wrk (Debian's `wrk`), the one neutral client that drives every server in a comparison, so that
/// a figure measures the server and not a client written in the same language as one of them.
struct Wrk {
    /// One load: what wrk's `done` hook reports, per second.
    struct Figures: Codable, Sendable {
        var server: String
        var request: String
        var connections: Int
        var requestsPerSecond: Double
        var p50Milliseconds: Double
        var p99Milliseconds: Double
        var mebibytesPerSecond: Double
        /// Socket errors, timeouts (no answer within 10 s) and answers of 400 and above, together.
        var errors: Int
        /// What the errors were, as wrk counts them: connect, read, write, timeout, status.
        var errorKinds: [String: Int]
        /// The server's CPU time (user and system, its processes together) per request answered.
        var serverCPUMicrosecondsPerRequest: Double?
        /// Every round's rate, in the order the rounds ran, when this figure is a median round's.
        var roundRates: [Double]?
    }

    /// A request as wrk sends it on every connection.
    struct Request: Sendable {
        var url: String
        var method = "GET"
        var headers: [String: String] = [:]
        var body: Data?
        /// Headers whose value each request picks at random from a list: each device's own session.
        var headerChoices: [String: [String]] = [:]
    }

    let work: URL

    init(work: URL) throws {
        guard (try? ChildProcess.run("wrk", ["--version"], timeout: .seconds(10))) != nil else {
            throw CLIError("wrk is not installed (apt-get install wrk)")
        }
        self.work = work
    }

    /// Runs `request` on `connections` connections for `seconds` (whole seconds, as wrk counts);
    /// `process` is the server's, whose CPU time per request is then reported.
    func load(
        _ server: String, _ label: String, _ request: Request, connections: Int, seconds: Int,
        process: pid_t? = nil
    ) throws -> Figures {
        let script = work.appendingPathComponent("wrk-\(UUID().uuidString).lua")
        var lines = ["wrk.method = \"\(request.method)\""]
        if let body = request.body {
            let bodyFile = script.deletingPathExtension().appendingPathExtension("body")
            try body.write(to: bodyFile)
            lines.append(#"local f = io.open([==[\#(bodyFile.path)]==], "rb"); wrk.body = f:read("*a"); f:close()"#)
        }
        for (name, value) in request.headers.sorted(by: { $0.key < $1.key }) {
            lines.append(#"wrk.headers[ [==[\#(name)]==] ] = [==[\#(value)]==]"#)
        }
        if !request.headerChoices.isEmpty {
            lines.append("local choices = {")
            for (name, values) in request.headerChoices.sorted(by: { $0.key < $1.key }) {
                lines.append(
                    #"  [ [==[\#(name)]==] ] = { "# + values.map { "[==[\($0)]==]" }.joined(separator: ", ") + " },")
            }
            lines.append(
                #"""
                }
                request = function()
                  for name, values in pairs(choices) do wrk.headers[name] = values[math.random(#values)] end
                  return wrk.format()
                end
                """#)
        }
        lines.append(
            #"""
            done = function(summary, latency, requests)
              local e = summary.errors
              io.write(string.format('WRK-FIGURES %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f %.0f\n',
                summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.timeout, e.status,
                latency:percentile(50), latency:percentile(99), 0))
            end
            """#)
        try Data(lines.joined(separator: "\n").utf8).write(to: script)
        defer { try? FileManager.default.removeItem(at: script) }
        let threads = min(connections, 2)
        let cpuBefore = process.map(ProcessCPU.seconds(of:))
        let outcome = try ChildProcess.run(
            "wrk",
            [
                "-t", String(threads), "-c", String(connections), "-d", "\(seconds)s", "--timeout", "10s", "-s",
                script.path, request.url,
            ], output: .captureStandardOutput, timeout: .seconds(seconds + 60))
        guard outcome.succeeded,
            let line = outcome.output.split(separator: "\n").first(where: { $0.hasPrefix("WRK-FIGURES ") })
        else {
            throw CLIError("wrk against \(request.url) failed (\(outcome.describe(timeout: nil))): \(outcome.output)")
        }
        let numbers = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard numbers.count == 11, numbers[1] > 0 else { throw CLIError("wrk printed \(line)") }
        let seconds = numbers[1] / 1e6
        let kinds = Dictionary(
            uniqueKeysWithValues: zip(
                ["connect", "read", "write", "timeout", "status"], numbers[3...7].map { Int($0) }))
        var cpu: Double?
        if let process, let cpuBefore, numbers[0] > 0 {
            cpu = (ProcessCPU.seconds(of: process) - cpuBefore) / numbers[0] * 1e6
        }
        return Figures(
            server: server, request: label, connections: connections, requestsPerSecond: numbers[0] / seconds,
            p50Milliseconds: numbers[8] / 1000, p99Milliseconds: numbers[9] / 1000,
            mebibytesPerSecond: numbers[2] / seconds / Double(1 << 20), errors: kinds.values.reduce(0, +),
            errorKinds: kinds.filter { $0.value > 0 }, serverCPUMicrosecondsPerRequest: cpu)
    }

    /// One load spread over several servers at once (replicas of one store behind no balancer),
    /// one wrk each with its share of the connections: requests per second add up, latencies are
    /// the slowest server's, errors add up.
    func load(
        _ server: String, _ label: String, across requests: [Request], connections: Int, seconds: Int
    ) throws -> Figures {
        let outcomes = Mutex([Result<Figures, any Error>?](repeating: nil, count: requests.count))
        DispatchQueue.concurrentPerform(iterations: requests.count) { index in
            let share = connections / requests.count + (index < connections % requests.count ? 1 : 0)
            let outcome = Result { try load(server, label, requests[index], connections: share, seconds: seconds) }
            outcomes.withLock { $0[index] = outcome }
        }
        let loads = try outcomes.withLock { $0 }.map { try $0?.get() ?? { throw CLIError("a wrk did not report") }() }
        var kinds: [String: Int] = [:]
        for load in loads { kinds.merge(load.errorKinds, uniquingKeysWith: +) }
        return Figures(
            server: server, request: label, connections: connections,
            requestsPerSecond: loads.map(\.requestsPerSecond).reduce(0, +),
            p50Milliseconds: loads.map(\.p50Milliseconds).max() ?? 0,
            p99Milliseconds: loads.map(\.p99Milliseconds).max() ?? 0,
            mebibytesPerSecond: loads.map(\.mebibytesPerSecond).reduce(0, +), errors: loads.map(\.errors).reduce(0, +),
            errorKinds: kinds)
    }
}
