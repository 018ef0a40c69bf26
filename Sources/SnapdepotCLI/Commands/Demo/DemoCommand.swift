import ArgumentParser
import DeviceAgent
import FleetSimulator
import Foundation
import Logging
import Metrics
import SnapFiles
import StoreHTTP
import StorePersistence

/// The workshop in one command: the store with the workshop's world, a small simulated fleet
/// updating from it, and the dashboard to watch them.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Serve the workshop's world with a small simulated fleet updating from it, and the dashboard.",
        subcommands: [DemoStore.self, DemoModelChain.self],
        defaultSubcommand: DemoStore.self
    )
}

struct DemoStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Serve the workshop's world with a small simulated fleet updating from it, and the dashboard.",
        discussion: """
            Loads seed-data/ into DATA the first time (the ACME brand, its snaps across channels, the \
            signed my-pi3 models; later runs reuse it), serves it, builds the image of my-pi3-amd64 and \
            starts a fleet of simulated devices (each the real agent over HTTP) that boot, register with \
            the serial vault and refresh on snapd's schedule, in simulated time that runs --speed times \
            faster than the clock. Prints the dashboard's URL and the lines that point snapd's tools and \
            this CLI at the store. Release a revision (`snapdepot release myawesomesnap 2 stable \
            --progressive 30`) and watch it spread on the dashboard. Ctrl-C (or SIGTERM) stops the fleet \
            and the store; nothing is left running.
            """)

    @Option(help: "The demo's data folder: made and loaded the first time, reused after.")
    var data: String = "snapdepot-demo"
    @Option(help: "Address to serve on.") var listen: String = "127.0.0.1:8080"
    @Option(help: "The seed-data folder loaded into a new data folder.") var seedData: String = "seed-data"
    @Option(help: "Simulated devices.") var devices: Int = 20
    @Option(help: "Simulated seconds per wall second: at 720 a device refreshes about every 30 s.")
    var speed: Double = 720
    @Option(help: "Key size of a new store's and brand's keys (snapd uses 4096; smaller starts faster).")
    var keyBits: Int = 2048
    @Flag(
        help:
            "Make a new data folder's store sign as snapd's test root, so that snapd's tools built withtestkeys accept it."
    )
    var testrootorg = false

    func validate() throws {
        guard (1...10_000).contains(devices) else { throw ValidationError("--devices is between 1 and 10000") }
        guard speed > 0 else { throw ValidationError("--speed is more than 0 simulated seconds per second") }
        guard [2048, 3072, 4096].contains(keyBits) else { throw ValidationError("--key-bits is 2048, 3072 or 4096") }
    }

    func run() async throws {
        let (host, port) = try ServeCommand.parseListen(listen)
        let directory = DataDirectory(path: data)
        let say: @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        let fresh = !directory.isInitialized
        if testrootorg && fresh {
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
            try directory.install(identity: try SnapdTestKeys.identity(), rootKey: try SnapdTestKeys.rootKey())
        }
        let (store, _, _) = try await directory.openStore(keyBits: keyBits, deltas: XDelta3.isAvailable)
        let world = try SeedDataCommand.World.read(from: URL(fileURLWithPath: seedData))
        if fresh { say("loading \(seedData) into \(data) (keys of \(keyBits) bits)") }
        let loaded = try await SeedDataCommand.Load.load(
            world, from: URL(fileURLWithPath: seedData), into: store, folder: data, keyBits: keyBits,
            report: { say("  " + $0) })
        if !loaded { say("reusing \(data): it holds \(world.brand.id) already") }
        let token = try String(contentsOfFile: directory.adminTokenPath, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)

        var logger = Logger(label: "snapdepot")
        // The demo's terminal shows the fleet, not every request; SNAPDEPOT_LOG_LEVEL=info shows them.
        logger.logLevel =
            ProcessInfo.processInfo.environment["SNAPDEPOT_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
            ?? .warning
        let server = StoreServer(store: store, host: host, port: port)
        MetricsSystem.bootstrap(server.metrics.factory)
        // snapd's tools trust Canonical's root, or the test root when built withtestkeys: say which
        // of them will take this store's word.
        let trustNote =
            store.identity.authorityID == "testrootorg"
            ? "# point snapd's tools (built withtestkeys) and this CLI at it from another shell:"
            : "# point this CLI at it from another shell (snapd's tools need a store made with --testrootorg):"
        let fleetTask = FleetTaskBox()
        // Each run flashes a new batch: the serial vault signs a device key once, as Canonical's
        // does, so the devices of an earlier run stay in the inventory, not seen since.
        let batch = try Self.nextBatch(in: directory)
        let settings = FleetSettings(
            devices: devices, speed: speed, serialPrefix: batch == 1 ? "demo" : "demo\(batch)",
            work: FileManager.default.temporaryDirectory.appendingPathComponent("snapdepot-demo-\(UUID().uuidString)"))
        defer { try? FileManager.default.removeItem(at: settings.work) }
        try await server.run(logger: logger) { bound in
            let url = "http://\(host):\(bound)"
            let lines =
                [
                    "snapdepot demo: the workshop's store on \(url) (data: \(directory.path))",
                    "dashboard: \(url)/",
                    trustNote,
                ] + ServeCommand.exports(url: url, directory: directory, architecture: "amd64") + [
                    "# then release a revision and watch it spread on \(url)/dashboard/snaps/myawesomesnap:",
                    "#   snapdepot release myawesomesnap 2 stable --progressive 30",
                    "# Ctrl-C stops the fleet and the store.",
                ]
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
            fleetTask.start {
                do {
                    try await Self.runFleet(
                        settings, client: StoreClient(Credentials(url: url, token: token)), say: say)
                } catch is CancellationError {
                } catch {
                    say("the fleet stopped: \(error)")
                }
            }
        }
        // The store has stopped (Ctrl-C or SIGTERM): the fleet goes with it.
        await fleetTask.stop()
        say("demo stopped")
    }

    struct FleetSettings: Sendable {
        let devices: Int
        let speed: Double
        let serialPrefix: String
        let work: URL
    }

    /// The number of this run's batch of devices, counted in DATA/demo-batches.
    static func nextBatch(in directory: DataDirectory) throws -> Int {
        let file = URL(fileURLWithPath: directory.path).appendingPathComponent("demo-batches")
        let last = (try? String(contentsOf: file, encoding: .utf8)).flatMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let batch = (last ?? 0) + 1
        try Data("\(batch)\n".utf8).write(to: file, options: .atomic)
        return batch
    }

    /// The fleet of `fleet run` without a scenario, paced by `speed`, until cancelled.
    static func runFleet(_ settings: FleetSettings, client: StoreClient, say: @escaping @Sendable (String) -> Void)
        async throws
    {
        let image = try await FleetCommand.Run.flashImage(
            image: nil, model: nil, trusted: nil, client: client, work: settings.work, say: say)
        let roots = try await client.trustedRoots(file: nil)
        let fleetImage = try FleetImage(
            image: image, roots: roots, pool: try ContentPool(folder: settings.work.appendingPathComponent("pool")))
        var configuration = FleetConfiguration(
            devices: settings.devices, snap: "myawesomesnap", serialPrefix: settings.serialPrefix)
        configuration.speed = settings.speed
        configuration.start = Date()
        // Ten simulated years: the fleet runs until Ctrl-C.
        configuration.duration = 10 * 365 * 86400
        configuration.deltas = XDelta3.isAvailable
        let fleet = Fleet(
            image: fleetImage, configuration: configuration, control: StoreFleetControl(client: client),
            storeURL: client.credentials.url)
        let keys = try await FleetKeys.make(
            count: settings.devices, bits: 1024, pool: nil,
            progress: ProgressBar(label: "device keys", enabled: isatty(STDERR_FILENO) == 1))
        say(
            "fleet: \(settings.devices) devices \(settings.serialPrefix)-1 … \(settings.serialPrefix)-\(settings.devices) "
                + "booting (a progress line every 10 s)")
        let last = LastProgressLine()
        _ = try await fleet.run(scenario: nil, keys: keys) { progress in
            if last.due(every: 10) { say("fleet: " + progress.line) }
        }
    }
}

/// The fleet's task, started once the server listens and cancelled when it stops.
private final class FleetTaskBox: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?

    func start(_ body: @escaping @Sendable () async -> Void) {
        lock.withLock { task = Task { await body() } }
    }

    func stop() async {
        let task = lock.withLock { self.task }
        task?.cancel()
        await task?.value
    }
}

/// Thins the fleet's per-second progress to one line every few seconds.
private final class LastProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var printed = Date.distantPast

    func due(every seconds: TimeInterval) -> Bool {
        lock.withLock {
            guard Date().timeIntervalSince(printed) >= seconds else { return false }
            printed = Date()
            return true
        }
    }
}
