import ArgumentParser
import ChildProcesses
import Foundation
import SnapdepotCLI

/// The fleet simulator at growing sizes: `snapdepot fleet run` against its embedded store (both in
/// one process, as a user runs it), a release to everyone, and the figures that say how large a
/// fleet this machine rehearses: whether it converged, the wall time from the release until every
/// device ran it, the process's peak memory per device, and the store's requests per second.
struct FleetBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Largest simulated fleet that converges on a release: time, memory per device, requests/s."
    )

    @Option(help: "Fleet sizes to run, comma-separated.") var sizes: String = "1000,10000"
    @Option(help: "Key pool file kept between runs (device keys are the slow part of starting a fleet).")
    var keyPool: String = ".build/fleet-keys-1024.pem"
    @Option(help: "The seed-data folder.") var seedData: String = "seed-data"
    @Option(help: "Devices working at once.") var concurrency: Int = 64
    @Flag(help: "Print machine-readable JSON.") var json = false

    struct Figures: Encodable {
        let devices: Int
        let converged: Bool
        let wallSeconds: Double
        let wallSecondsToConverge: Double?
        let simulatedSecondsToConverge: Double?
        let peakMemoryBytes: Int
        let memoryPerDeviceBytes: Int
        let storeRequestsPerSecond: Double
        let countersMatch: Bool?
    }

    func run() async throws {
        let counts = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--sizes: positive numbers") }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("snapdepot-fleet-bench-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let scenario = work.appendingPathComponent("converge.yaml")
        try Data(
            """
            name: converge
            snap: myawesomesnap
            steps:
              - release: {revision: 2}
              - wait: 8h
              - expect: {revision: 2, at-least: 100%}

            """.utf8
        ).write(to: scenario)
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("snapdepot")
        var figures: [Figures] = []
        for count in counts.sorted() {
            BenchSupport.progress(json, "\(count) devices: fleet run (keys from \(keyPool))…")
            let outcome = try ChildProcess.run(
                binary.path,
                [
                    "fleet", "run", "--scenario", scenario.path, "--devices", String(count), "--key-pool", keyPool,
                    "--seed-data", seedData, "--concurrency", String(concurrency), "--json",
                ], output: .captureStandardOutput, timeout: .seconds(3600))
            // Children are run one at a time, smallest first: the largest peak is this one's.
            var usage = rusage()
            getrusage(RUSAGE_CHILDREN.rawValue, &usage)
            let peak = Int(usage.ru_maxrss) * 1024
            guard let summary = try? JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) as? [String: Any]
            else {
                throw ValidationError(
                    "the fleet of \(count) gave no summary (\(outcome.describe(timeout: .seconds(3600))))")
            }
            let wallTo = summary["wall-seconds-to"] as? [String: Double]
            let timeTo = summary["time-to"] as? [String: Double]
            let traffic = summary["traffic"] as? [String: Any]
            figures.append(
                Figures(
                    devices: count, converged: outcome.succeeded,
                    wallSeconds: summary["wall-seconds"] as? Double ?? 0, wallSecondsToConverge: wallTo?["100%"],
                    simulatedSecondsToConverge: timeTo?["100%"], peakMemoryBytes: peak,
                    memoryPerDeviceBytes: peak / count,
                    storeRequestsPerSecond: summary["store-requests-per-second"] as? Double ?? 0,
                    countersMatch: traffic?["matches"] as? Bool))
        }
        if json { return try JSONOutput.print(figures) }
        print("fleet runs, embedded store, release of r2 to everyone, \(concurrency) devices at once:")
        print(
            "devices  converged  total s  to 100 % (wall s)  to 100 % (simulated)  peak RSS  per device  req/s  counters"
        )
        for row in figures {
            print(
                String(
                    format: "%7d  %9@  %7.1f  %17@  %20@  %6.0f MiB  %7.1f KiB  %5.0f  %@", row.devices,
                    row.converged ? "yes" : "no", row.wallSeconds,
                    row.wallSecondsToConverge.map { String(format: "%.1f", $0) } ?? "-",
                    row.simulatedSecondsToConverge.map { String(format: "%.1f h", $0 / 3600) } ?? "-",
                    Double(row.peakMemoryBytes) / 1_048_576, Double(row.memoryPerDeviceBytes) / 1024,
                    row.storeRequestsPerSecond, row.countersMatch.map { $0 ? "match" : "differ" } ?? "-"))
        }
    }
}
