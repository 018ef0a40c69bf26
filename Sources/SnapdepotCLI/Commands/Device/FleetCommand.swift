import ArgumentParser
import Assertions
import DeviceAgent
import FleetSimulator
import Foundation
import StoreProtocol

/// Rehearse a rollout on a fleet of simulated devices, each running the real agent.
struct FleetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fleet",
        abstract: "Simulate a fleet of devices updating from a store, driven by a scenario.",
        subcommands: [Run.self, Merge.self, Plot.self]
    )

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run N simulated devices against a store in simulated time.",
            discussion: """
                Every device is the agent of `snapdepot agent` on memory storage: it seeds from the image, \
                registers with the store's serial vault (proposing the serial PREFIX-N), and refreshes on \
                snapd's schedule, each download checked by SHA3-384 and its assertion chain verified \
                against the device's roots. Devices boot in the hour before the scenario starts; a \
                scenario (YAML, see docs/fleet.md) releases, injects faults, makes groups, waits and \
                checks expectations. Without --store, the workshop's world (seed-data/) is loaded into a \
                store in this process on loopback. Each device needs its own key (the vault gives a key \
                one serial): --key-pool FILE keeps generated keys for the next run. Exits 1 when an \
                expectation fails or the run stops early, after the summary.
                """)

        @Option(help: "How many devices (default: the scenario's).") var devices: Int?
        @Option(help: "The image archive (`image build … --tar FILE`) the devices are flashed with.") var image: String?
        @Option(help: "A signed model: its image is built from the store (default: the world's my-pi3-amd64).")
        var model: String?
        @Option(help: "The store to rehearse against (default: an embedded store with seed-data/ loaded).")
        var store: String?
        @Option(help: "Root assertions the devices trust (default: the store's own).") var trusted: String?
        @Option(help: "The scenario file (YAML).") var scenario: String?
        @Option(help: "Decides every per-device draw: the same seed gives the same run.") var seed: UInt64 = 1
        @Option(help: "Simulated seconds per wall second; 0 runs as fast as the machine allows.") var speed: Double = 0
        @Option(help: "Simulated time to run, like 6h or 2d (default: to the scenario's last step, or 1d).")
        var duration: String?
        @Option(help: "Devices working at once.") var concurrency: Int = 64
        @Option(help: "Share of devices going offline per simulated day (0–1), for 1 to 12 hours.")
        var offlinePerDay: Double = 0
        @Option(help: "Size of each device key.") var keyBits: Int = 1024
        @Option(help: "A file of device keys kept between runs (0600); generated keys are added to it.")
        var keyPool: String?
        @Option(help: "Devices propose serials PREFIX-1 … PREFIX-N (default: fleet-SEED).") var serialPrefix: String?
        @Option(help: "The snap to follow (default: the scenario's, else myawesomesnap).") var snap: String?
        @Option(help: "The seed-data folder for the embedded store.") var seedData: String = "seed-data"
        @Option(help: "Key size of the embedded store's keys (its vault signs every serial).")
        var storeKeyBits: Int = 2048
        @Option(help: "Write devices per revision per simulated hour to this CSV file.") var csv: String?
        @Option(help: "Draw that series to this SVG file.") var plot: String?
        @Flag(
            name: .customLong("deltas"), inversion: .prefixedNo,
            help: "Devices ask for xdelta3 deltas and apply them, as snapd does when xdelta3 is installed.")
        var deltas = Agent.deltasByDefault
        @Option(
            help: ArgumentHelp(
                "Run only shard K of N of the fleet (devices K, K+N, …), against --store, beside the other shards.",
                valueName: "K/N"))
        var shard: String?
        @Option(help: "The name a split run's shards meet under at the store: new for each run.") var run: String?
        @Flag(help: "Print the summary as JSON.") var json = false

        func validate() throws {
            if shard != nil {
                guard store != nil else {
                    throw ValidationError("--shard needs --store: every shard drives the same store")
                }
                guard run != nil else { throw ValidationError("--shard needs --run NAME, the same for every shard") }
            } else if run != nil {
                throw ValidationError("--run names a split run: give --shard K/N too")
            }
            if let devices, devices < 1 { throw ValidationError("--devices must be at least 1, not \(devices)") }
            guard speed >= 0 else { throw ValidationError("--speed is 0 (as fast as possible) or more") }
            guard (0...1).contains(offlinePerDay) else { throw ValidationError("--offline-per-day is between 0 and 1") }
            guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
            guard [1024, 2048, 3072, 4096].contains(keyBits) else {
                throw ValidationError("--key-bits must be 1024, 2048, 3072 or 4096")
            }
            if image != nil, model != nil { throw ValidationError("name --image or --model, not both") }
        }

        func run() async throws {
            let plan = try scenario.map { try Scenario.read($0) }
            guard let count = devices ?? plan?.devices else {
                throw ValidationError("name --devices N (or a scenario with devices:)")
            }
            let say: (String) -> Void = { line in if !json { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            }
            let client: StoreClient
            var embeddedData: URL?
            // The embedded store's data goes with the run; the server stops when the process ends.
            defer { if let embeddedData { try? FileManager.default.removeItem(at: embeddedData) } }
            if let store {
                // Scenario steps are the admin's: the token comes from SNAPDEPOT_TOKEN or `snapdepot login`.
                let token = try ProcessInfo.processInfo.environment["SNAPDEPOT_TOKEN"] ?? Credentials.load().token
                client = StoreClient(Credentials(url: store, token: token))
            } else {
                let embedded = try await EmbeddedStore.start(seedData: seedData, keyBits: storeKeyBits, report: say)
                embeddedData = embedded.folder
                say("embedded store on \(embedded.url)")
                client = StoreClient(Credentials(url: embedded.url, token: embedded.token))
            }
            let work = FileManager.default.temporaryDirectory.appendingPathComponent(
                "snapdepot-fleet-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: work) }
            let seedImage = try await Self.flashImage(
                image: image, model: model, trusted: trusted, client: client, work: work, say: say)
            let roots = try await client.trustedRoots(file: trusted)
            let fleetImage = try FleetImage(
                image: seedImage, roots: roots, pool: try ContentPool(folder: work.appendingPathComponent("pool")))

            var settings = FleetConfiguration(
                devices: count, snap: snap ?? plan?.snap ?? "myawesomesnap",
                serialPrefix: serialPrefix ?? "fleet-\(seed)")
            settings.seed = seed
            settings.speed = speed
            settings.duration = try duration.map { try Scenario.duration($0) }
            settings.concurrency = concurrency
            settings.deltas = deltas
            settings.offlinePerDay = offlinePerDay
            if let shard, let run { settings.shard = try FleetShard(parsing: shard, run: run) }
            let fleet = Fleet(
                image: fleetImage, configuration: settings, control: StoreFleetControl(client: client),
                storeURL: client.credentials.url)
            // Checked before any key is made, so a typo costs nothing.
            if let plan { try await fleet.check(plan) }
            let local = settings.localDevices
            say("making \(local) device keys of \(keyBits) bits\(keyPool.map { " (pool \($0))" } ?? "")")
            let keys = try await FleetKeys.make(
                count: local, bits: keyBits, pool: keyPool, progress: ProgressBar(label: "keys", enabled: !json))
            let live = !json && isatty(STDERR_FILENO) == 1
            let (summary, series) = try await fleet.run(scenario: plan, keys: keys) { progress in
                guard !json else { return }
                FileHandle.standardError.write(Data((live ? "\r\u{1B}[K" + progress.line : progress.line + "\n").utf8))
            }
            if live { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            if let csv { try Data(series.csv.utf8).write(to: URL(fileURLWithPath: csv)) }
            if let plot {
                try Data(SeriesPlot.svg(series, title: plotTitle(summary)).utf8).write(to: URL(fileURLWithPath: plot))
            }
            if json { try JSONOutput.print(summary) } else { print(summary.text) }
            if !summary.passed { throw ExitCode.failure }
        }

        /// The image the devices are flashed with: `image`, or one built for `model` (by default
        /// the world's `my-pi3-amd64`) from the store.
        static func flashImage(
            image: String?, model: String?, trusted: String?, client: StoreClient, work: URL, say: (String) -> Void
        ) async throws -> SeedImage {
            let tar: String
            if let image {
                tar = image
            } else {
                var modelFile = model
                if modelFile == nil {
                    let assertion = try await client.raw(
                        .GET, "/v2/assertions/model/16/acme-brand/my-pi3-amd64", body: nil,
                        contentType: "application/x.ubuntu.assertion")
                    let file = work.appendingPathComponent("my-pi3-amd64.model")
                    try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
                    try assertion.write(to: file)
                    modelFile = file.path
                }
                guard let modelFile else { throw CLIError("no model to build an image of") }
                tar = work.appendingPathComponent("image.tar").path
                say("building the image of \(modelFile)")
                var build = try ImageCommand.Build.parse([
                    modelFile, "--output", work.appendingPathComponent("image").path, "--tar", tar, "--json",
                ])
                if let trusted { build.trusted = trusted }
                _ = try await build.build(client: client)
            }
            do {
                return try SeedImage.unpack(tar, into: work.appendingPathComponent("flashed"))
            } catch {
                throw CLIError("the image \(tar) cannot be flashed: \(error)")
            }
        }

        private func plotTitle(_ summary: FleetSummary) -> String {
            "\(summary.scenario ?? "fleet"): \(summary.devices) devices, \(summary.snap) by revision (seed \(summary.seed))"
        }
    }

    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Combine the summaries of a split run's shards (`fleet run --shard K/N --json`) into one.")
        @Argument(help: "Each shard's JSON summary.") var summaries: [String]
        @Option(help: "Write the whole fleet's devices per revision per simulated hour to this CSV file.")
        var csv: String?
        @Option(help: "Draw that series to this SVG file.") var plot: String?
        @Flag(help: "Print the summary as JSON.") var json = false

        func run() async throws {
            let parts = try summaries.map { path in
                do {
                    return try WireJSON.decoder.decode(FleetSummary.self, from: Data(try InputFile.read(path)))
                } catch let error as DecodingError {
                    throw CLIError("\(path) is not a fleet run's JSON summary: \(error)")
                }
            }
            let (summary, series) = try FleetSummary.merge(parts)
            if let csv { try Data(series.csv.utf8).write(to: URL(fileURLWithPath: csv)) }
            if let plot {
                let title =
                    "\(summary.scenario ?? "fleet"): \(summary.devices) devices in \(parts.count) shards, "
                    + "\(summary.snap) by revision (seed \(summary.seed))"
                try Data(SeriesPlot.svg(series, title: title).utf8).write(to: URL(fileURLWithPath: plot))
            }
            if json { try JSONOutput.print(summary) } else { print(summary.text) }
            if !summary.passed { throw ExitCode.failure }
        }
    }

    struct Plot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw a fleet run's time series (`fleet run --csv`) as an SVG chart.")
        @Argument(help: "The CSV file `fleet run --csv` wrote.") var csv: String
        @Option(name: .shortAndLong, help: "The SVG file to write.") var output: String
        @Option(help: "The chart's title.") var title: String = "devices per revision"

        func run() async throws {
            let text = String(decoding: try InputFile.read(csv), as: UTF8.self)
            let series = try TimeSeries.parse(csv: text)
            try Data(SeriesPlot.svg(series, title: title).utf8).write(to: URL(fileURLWithPath: output))
            print("\(series.samples.count) hours of \(series.revisions.count) revisions drawn to \(output)")
        }
    }
}
