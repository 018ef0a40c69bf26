import ArgumentParser
import Assertions
import Foundation
import Logging
import Metrics
import SnapFiles
import StoreCore
import StoreHTTP
import StorePersistence

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the store: its catalogue, blobs on disk, the admin API and snapd's API on one port.",
        discussion: """
            On first start the data folder gets a new root and store key (or snapd's test keys with \
            --testrootorg) and an admin token in DATA/admin-token (0600). The lines printed at start \
            point snapd tools and this CLI at the store. Stops gracefully on SIGTERM or SIGINT. \
            The catalogue is DATA/store.db (SQLite) unless --database names a PostgreSQL database.
            """
    )

    @Option(help: "Data folder (default: $SNAPDEPOT_DATA or ~/.local/share/snapdepot/store).") var data: String?
    @Option(help: "Address to listen on; port 0 picks a free one.") var listen: String = "127.0.0.1:8080"
    @Flag(help: "Use a temporary data folder, removed on exit.") var ephemeral = false
    @OptionGroup var database: DatabaseOption
    @Option(help: "Authority id of a newly created store.") var authorityID: String = "snapdepot"
    @Option(help: "Key size for a newly created store's keys.") var keyBits: Int = 4096
    @Flag(help: "Make a new store sign as snapd's test root (testrootorg), read from snapd's installed source.")
    var testrootorg = false
    @Option(help: "Largest upload accepted, in bytes.") var uploadLimit: UInt64 = 4 << 30
    @Option(help: "Connections held open at once; more wait in the listen queue.") var maxConnections = 2048
    @Option(help: "Seconds a connection may sit idle, or stall part-way through a request, before it is closed.")
    var idleTimeout = 60
    @Option(help: "Uploads that may wait for their notification at once (snapcraft sends the file unauthenticated).")
    var pendingUploads = 32
    @Option(help: "Bytes those waiting uploads may hold together.") var pendingUploadBytes: UInt64 = 8 << 30
    @Option(help: "Seconds an upload waits for its notification before it is dropped.")
    var pendingUploadLifetime: Double = 3600
    @Option(help: "Architecture to print in UBUNTU_STORE_ARCH.") var architecture: String = "amd64"
    @Option(help: "Seconds a snapcraft login's discharge lasts before the client must refresh it.")
    var dischargeLifetime: Int64 = 86400
    @Option(help: "Seconds the serial vault keeps a device waiting (HTTP 202) before it signs its serial.")
    var serialApprovalDelay: Int64 = 0
    @Option(help: "Seconds a device session lasts before the device must open a new one (default 30 days).")
    var deviceSessionLifetime: Int64 = 30 * 86400
    @Flag(
        name: .customLong("deltas"), inversion: .prefixedNo,
        help: "Make xdelta3 deltas between revisions and announce them to devices that accept them (needs xdelta3).")
    var deltas = true

    func validate() throws {
        guard dischargeLifetime > 0, deviceSessionLifetime > 0 else {
            throw ValidationError("--discharge-lifetime and --device-session-lifetime are positive numbers of seconds")
        }
    }

    func run() async throws {
        let (host, port) = try Self.parseListen(listen)
        let folder: String
        if ephemeral {
            folder =
                FileManager.default.temporaryDirectory.appendingPathComponent("snapdepot-\(UUID().uuidString)").path
        } else {
            folder = data ?? Self.defaultDataDirectory()
        }
        defer { if ephemeral { try? FileManager.default.removeItem(atPath: folder) } }
        let directory = DataDirectory(path: folder)
        if testrootorg && !directory.isInitialized {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try directory.install(identity: try SnapdTestKeys.identity(), rootKey: try SnapdTestKeys.rootKey())
        }
        let (store, _, _) = try await directory.openStore(
            authorityID: authorityID, keyBits: keyBits, uploadLimit: uploadLimit, dischargeLifetime: dischargeLifetime,
            deviceSessionLifetime: deviceSessionLifetime, serialApprovalDelay: serialApprovalDelay,
            deltas: deltas && XDelta3.isAvailable, database: try database.postgres)
        var logger = Logger(label: "snapdepot")
        // Request logs (with request ids) are the server's normal output; SNAPDEPOT_LOG_LEVEL overrides.
        logger.logLevel =
            ProcessInfo.processInfo.environment["SNAPDEPOT_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let uploadArea = UploadAreaLimits(
            count: pendingUploads, bytes: pendingUploadBytes, lifetime: pendingUploadLifetime)
        let connections = StoreServer.ConnectionLimits(maximum: maxConnections, idleSeconds: idleTimeout)
        let catalogue =
            try database.postgres.map { "catalogue: PostgreSQL, \($0)" } ?? "catalogue: SQLite, \(folder)/store.db"
        let notes = [catalogue] + (try await Self.notes(on: store, deltasAsked: deltas))
        let architecture = self.architecture
        let server = StoreServer(
            store: store, host: host, port: port, uploadArea: uploadArea, connections: connections)
        // swift-metrics (the request metrics of `/metrics`) reports to this server's registry.
        MetricsSystem.bootstrap(server.metrics.factory)
        try await server.run(logger: logger) { bound in
            let url = "http://\(host):\(bound)"
            let lines =
                ["snapdepot store \(store.identity.authorityID) listening on \(url) (data: \(folder))"]
                + notes.map { "# " + $0 } + Self.exports(url: url, directory: directory, architecture: architecture)
            FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        }
    }

    /// What a workshop or factory operator must know of a store at its start: whom the serial
    /// vault signs for, and whether devices get deltas.
    static func notes(on store: SnapStore, deltasAsked: Bool) async throws -> [String] {
        let policies = try await store.vaultPolicies()
        let vault =
            [
                "serial vault: signs for any device of a model the store holds"
                    + (policies.isEmpty ? " (`snapdepot vault policy` restricts a brand's)" : ", except:")
            ] + policies.map { "  \($0.brandID): \($0.summary)" }
        let deltas =
            store.makesDeltas
            ? "deltas: made with xdelta3, announced to devices that send Snap-Accept-Delta-Format"
            : deltasAsked
                ? "deltas: off, xdelta3 is not installed (Debian's package xdelta3): devices download whole snaps"
                : "deltas: off (--no-deltas)"
        return vault + [deltas]
    }

    /// The lines to paste into another shell: snapd's tools and this CLI pointed at the store. The
    /// token stays in its 0600 file: terminals are scrolled back, projected and logged.
    static func exports(url: String, directory: DataDirectory, architecture: String) -> [String] {
        [
            "export SNAPPY_FORCE_API_URL=\(url)/",
            "export SNAPPY_FORCE_SAS_URL=\(url)/",
            "export UBUNTU_STORE_ARCH=\(architecture)",
            "export SNAPDEPOT_URL=\(url)",
            "export SNAPDEPOT_TOKEN=$(cat \(directory.adminTokenPath))",
        ]
    }

    static func defaultDataDirectory() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let data = environment["SNAPDEPOT_DATA"], !data.isEmpty { return data }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share/snapdepot/store"
    }

    static func parseListen(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw CLIError("--listen takes HOST:PORT, like 127.0.0.1:8080 or 127.0.0.1:0")
        }
        let host = String(text[..<colon])
        return (host.isEmpty ? "127.0.0.1" : host, port)
    }
}
