import ArgumentParser
import Assertions
import DeviceAgent
import Foundation
import SnapdepotCLI
import StoreCore
import StorePersistence

/// The device-identity side of the store under load: serial registrations made as `factory
/// flash` (and snapd) makes them, device sessions opened, and refreshes that carry a session beside
/// the same refreshes without one, against `snapdepot serve` in its own process so that its
/// memory after many sessions is its own. The client signs (device keys), so it is snapdepot's
/// own device code, not wrk: these figures are end-to-end, the server's share is in `bench device`.
struct VaultBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault",
        abstract: "Serial registrations/s, session opens/s, refreshes with sessions, and serve's memory."
    )

    @Option(help: "Devices to register.") var devices: Int = 400
    @Option(help: "Device sessions to open, spread over the devices (snapd opens one per boot and expiry).")
    var sessions: Int = 2000
    @Option(help: "Devices at once while registering and opening sessions.") var connections: Int = 8
    @Option(help: "Size of the brand key the vault signs serials with.") var brandKeyBits: Int = 4096
    @Option(help: "Seconds per refresh measurement (whole seconds, as wrk counts them).") var seconds: Int = 5
    @Flag(help: "Print machine-readable JSON.") var json = false

    struct Figures: Encodable {
        var registration: HTTPLoad.Figures
        var session: HTTPLoad.Figures
        /// Measured with wrk, each request with a random device's newest session.
        var refreshWithSession: [Wrk.Figures] = []
        var refreshAnonymous: [Wrk.Figures] = []
        /// `snapdepot serve`'s resident memory after start, after the registrations, after the
        /// sessions, and at its peak, in bytes.
        var serverMemory: [String: Int] = [:]
    }

    func validate() throws {
        guard devices > 0, sessions > 0, connections > 0, seconds > 0 else {
            throw ValidationError("--devices, --sessions, --connections and --seconds must be positive")
        }
    }

    func run() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("snapdepot-vault-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        BenchSupport.progress(json, "creating a store with a brand, its \(brandKeyBits)-bit key and a model…")
        // The world is made in process, then closed: `serve` opens its folder alone.
        let (model, snapID, trust) = try await {
            let world = try await BrandBenchWorld.make(in: work, brandKeyBits: brandKeyBits)
            return (world.model, world.snapID, try TrustDatabase(trusted: world.store.identity.trusted))
        }()

        BenchSupport.progress(json, "generating \(devices) 1024-bit device keys…")
        let keys = try await withThrowingTaskGroup(of: PrivateKey.self) { group in
            for _ in 0..<devices { group.addTask { try PrivateKey.generate(bits: 1024) } }
            return try await group.reduce(into: [PrivateKey]()) { $0.append($1) }
        }
        let served = try ServedStore(data: work.appendingPathComponent("data").path, work: work)
        defer { served.stop() }
        let base = served.base
        let connection = StoreConnection(baseURL: base)
        var memory = ["after-start": served.memory().resident]

        BenchSupport.progress(json, "registering \(devices) devices, \(connections) at a time…")
        let registration = SerialRegistration(
            connection: connection, model: model, maximumRetryWait: 1, giveUpAfter: 10)
        let (serials, registered) = try await perDevice(keys) { key in
            (key, try await registration.register(deviceKey: key, trust: trust).serial)
        }
        memory["after-registrations"] = served.memory().resident
        BenchSupport.progress(json, "opening \(sessions) device sessions, \(connections) at a time…")
        let (opened, sessionFigures) = try await perDevice((0..<sessions).map { serials[$0 % serials.count] }) {
            device in try await DeviceSession.open(connection, key: device.0, serial: device.1, model: model)
        }
        // The store keeps each device's newest sessions only (as snapd holds one): the last round's.
        let tokens = Array(opened.suffix(serials.count))
        memory["after-sessions"] = served.memory().resident
        var figures = Figures(registration: registered, session: sessionFigures)

        // The refreshes with wrk, which measures the server (the registrations and sessions above
        // are signed by this process's own device code, so their figures are end to end).
        let wrk = try Wrk(work: work)
        let anonymous = BrandBenchWorld.refreshLoad(base: base, snapID: snapID)
        var withSession = anonymous
        withSession.headerChoices["Snap-Device-Authorization"] = tokens.map { #"Macaroon root="\#($0)""# }
        func refreshes(_ label: String, _ request: Wrk.Request, connections: Int) throws -> Wrk.Figures {
            BenchSupport.progress(json, "refresh \(label), \(connections) connection(s), \(seconds) s…")
            let load = try wrk.load(
                "snapdepot", "refresh \(label)", request, connections: connections, seconds: seconds,
                process: served.child.processIdentifier)
            guard load.errors == 0 else {
                throw CLIError(
                    "refresh \(label): \(load.errors) errors under load (\(load.errorKinds)); the server's log "
                        + "ends:\n\(served.logTail())")
            }
            return load
        }
        for loops in [1, 64] {
            figures.refreshWithSession.append(try refreshes("with a session", withSession, connections: loops))
            figures.refreshAnonymous.append(try refreshes("without one", anonymous, connections: loops))
        }
        memory["peak"] = served.memory().peak
        figures.serverMemory = memory

        if json { return try JSONOutput.print(figures) }
        func row(
            _ name: String, _ connections: Int, _ rate: Double, _ unit: String, _ p50: Double, _ p99: Double,
            cpu: Double? = nil
        ) -> [String] {
            [
                name, String(connections), String(format: "%.0f", rate) + unit, String(format: "%.2f", p50),
                String(format: "%.2f", p99), cpu.map { String(format: "%.0f", $0) } ?? "–",
            ]
        }
        var rows = [
            row(
                "serial registration (request-id + serial)", figures.registration.connections,
                figures.registration.requestsPerSecond, " devices/s", figures.registration.p50Milliseconds,
                figures.registration.p99Milliseconds),
            row(
                "device session (nonce + session)", figures.session.connections, figures.session.requestsPerSecond,
                " sessions/s", figures.session.p50Milliseconds, figures.session.p99Milliseconds),
        ]
        for (with, without) in zip(figures.refreshWithSession, figures.refreshAnonymous) {
            for (name, load) in [
                ("refresh carrying a session (wrk)", with), ("refresh without a session (wrk)", without),
            ] {
                rows.append(
                    row(
                        name, load.connections, load.requestsPerSecond, " req/s", load.p50Milliseconds,
                        load.p99Milliseconds, cpu: load.serverCPUMicrosecondsPerRequest))
            }
        }
        print("brand key RSA-\(brandKeyBits), \(devices) devices with 1024-bit keys, \(sessions) sessions")
        print(Table.render(["what", "at once", "rate", "p50 ms", "p99 ms", "server CPU µs/request"], rows))
        let mebibytes = memory.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value >> 20) MiB" }
        print("snapdepot serve resident memory: " + mebibytes.joined(separator: ", "))
    }

    /// Runs `work` for every item, `connections` at a time; the results in order and the figures.
    private func perDevice<Item: Sendable, Result: Sendable>(
        _ items: [Item], _ work: @escaping @Sendable (Item) async throws -> Result
    ) async throws -> ([Result], HTTPLoad.Figures) {
        let started = Date()
        var results = [Result?](repeating: nil, count: items.count)
        var latencies: [Double] = []
        try await withThrowingTaskGroup(of: (Int, Result, Double).self) { group in
            var next = 0
            func start() {
                let index = next
                next += 1
                group.addTask {
                    let begin = Date()
                    let result = try await work(items[index])
                    return (index, result, Date().timeIntervalSince(begin) * 1000)
                }
            }
            for _ in 0..<min(connections, items.count) { start() }
            while let (index, result, latency) = try await group.next() {
                results[index] = result
                latencies.append(latency)
                if next < items.count { start() }
            }
        }
        return (
            results.compactMap { $0 },
            HTTPLoad.figures(latencies.sorted(), connections: connections, elapsed: Date().timeIntervalSince(started))
        )
    }
}
