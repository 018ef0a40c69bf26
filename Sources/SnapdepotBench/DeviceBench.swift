import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import SnapFiles
import SnapdepotCLI
import StoreCore
import StoreHTTP
import StorePersistence

/// The device API under load on loopback: refreshes of a 20-snap device against a 10,000-snap
/// catalogue at 1 and 64 connections beside the same server's trivial route, and downloads beside
/// Debian's nginx serving the same files, all in one run.
struct DeviceBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Refresh requests/s and latency, and download MiB/s beside nginx, on loopback."
    )

    @Option(help: "Snaps in the catalogue.") var snaps: Int = 10_000
    @Option(help: "Seconds per load measurement.") var seconds: Double = 5
    @Flag(help: "Print machine-readable JSON.") var json = false

    struct Figures: Encodable {
        var refresh: [HTTPLoad.Figures] = []
        var trivial: [HTTPLoad.Figures] = []
        var downloads: [String: Double] = [:]
        var nginxDownloads: [String: Double] = [:]
    }

    func run() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("snapdepot-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        BenchSupport.progress(json, "creating a store with \(snaps) snaps (benchmark-only bulk insert)…")
        let data = DataDirectory(path: work.appendingPathComponent("data").path)
        let (store, catalogue, _) = try await data.openStore(keyBits: 2048, uploadLimit: 1 << 30)
        let ids = try await catalogue.seedForBenchmark(snaps: snaps, revisionsPerSnap: 3)
        let acme = try await store.createAccount(username: "bench", by: .admin)
        let publisher = Principal(role: .publisher, accountID: acme.id)
        _ = try await store.register(name: "bench-download", by: publisher)
        var downloadSizes: [String: (id: String, revision: Int, path: String)] = [:]
        for mebibytes in [5, 100] {
            BenchSupport.progress(json, "packing and uploading a \(mebibytes) MiB snap…")
            let source = work.appendingPathComponent("source-\(mebibytes)")
            try FileManager.default.createDirectory(
                at: source.appendingPathComponent("meta"), withIntermediateDirectories: true)
            try Data("name: bench-download\nversion: '\(mebibytes)'\nsummary: b\ndescription: b\n".utf8)
                .write(to: source.appendingPathComponent("meta/snap.yaml"))
            try BenchSupport.writeRandomFile(source.appendingPathComponent("payload"), mebibytes: mebibytes)
            let snapPath = work.appendingPathComponent("bench-\(mebibytes).snap").path
            _ = try SnapPacker().pack(directory: source.path, output: snapPath).size
            let blob = try store.blobs.ingest(fileAt: snapPath, limit: store.uploadLimit)
            let record = try await store.upload(blob, name: "bench-download", by: publisher)
            downloadSizes["\(mebibytes) MiB"] = (
                record.snapID, record.revision, store.blobs.path(forDigest: record.sha3_384)
            )
        }

        let (base, server) = try await HTTPLoad.serve(store)
        defer { server.cancel() }

        var generator = SystemRandomNumberGenerator()
        let installed = (0..<20).map { _ in ids[Int.random(in: 0..<ids.count, using: &generator)] }
        let context = installed.map {
            #"{"snap-id":"\#($0)","instance-key":"\#($0)","revision":1,"tracking-channel":"stable","epoch":{"read":[0],"write":[0]}}"#
        }
        let actions = installed.map { #"{"action":"refresh","instance-key":"\#($0)","snap-id":"\#($0)"}"# }
        let body = ByteBuffer(
            string:
                #"{"context":[\#(context.joined(separator: ","))],"actions":[\#(actions.joined(separator: ","))],"fields":["download"]}"#
        )

        var figures = Figures()
        for connections in [1, 64] {
            BenchSupport.progress(json, "refresh, \(connections) connection(s), \(seconds) s…")
            figures.refresh.append(
                try await HTTPLoad.run(connections: connections, seconds: seconds) {
                    var request = HTTPClientRequest(url: base + "/v2/snaps/refresh")
                    request.method = .POST
                    request.headers.add(name: "Snap-Device-Architecture", value: "amd64")
                    request.body = .bytes(body)
                    return request
                })
            BenchSupport.progress(json, "trivial route, \(connections) connection(s), \(seconds) s…")
            figures.trivial.append(
                try await HTTPLoad.run(connections: connections, seconds: seconds) {
                    HTTPClientRequest(url: base + "/readyz")
                })
        }
        let nginx = try? NginxServer(root: data.blobsPath, work: work)
        defer { nginx?.stop() }
        for (label, download) in downloadSizes.sorted(by: { $0.key < $1.key }) {
            BenchSupport.progress(json, "downloading the \(label) snap…")
            figures.downloads[label] = try await downloadRate(
                base + "/api/v1/snaps/download/\(download.id)_\(download.revision).snap")
            if let nginx {
                let relative = String(download.path.dropFirst(data.blobsPath.count))
                figures.nginxDownloads[label] = try await downloadRate("http://127.0.0.1:\(nginx.port)\(relative)")
            }
        }

        if json { return try JSONOutput.print(figures) }
        print("refresh: 20 installed snaps, catalogue of \(snaps) snaps")
        print(
            Table.render(
                ["route", "connections", "requests/s", "p50 ms", "p99 ms"],
                zip(figures.refresh, figures.trivial).flatMap { refresh, trivial in
                    [
                        [
                            "/v2/snaps/refresh", String(refresh.connections),
                            String(format: "%.0f", refresh.requestsPerSecond),
                            String(format: "%.2f", refresh.p50Milliseconds),
                            String(format: "%.2f", refresh.p99Milliseconds),
                        ],
                        [
                            "/readyz (ceiling)", String(trivial.connections),
                            String(format: "%.0f", trivial.requestsPerSecond),
                            String(format: "%.2f", trivial.p50Milliseconds),
                            String(format: "%.2f", trivial.p99Milliseconds),
                        ],
                    ]
                }))
        print("")
        BenchSupport.header()
        for (label, rate) in figures.downloads.sorted(by: { $0.key < $1.key }) {
            BenchSupport.row("download \(label)", rate, figures.nginxDownloads[label], "MiB/s (right: nginx)")
        }
    }

    /// The best of three full downloads, in MiB/s.
    private func downloadRate(_ url: String) async throws -> Double {
        var best = 0.0
        for _ in 0..<3 {
            let begin = Date()
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .minutes(5))
            guard response.status == .ok else { throw CLIError("download of \(url) answered \(response.status)") }
            var bytes = 0
            for try await chunk in response.body { bytes += chunk.readableBytes }
            best = max(best, Double(bytes) / Double(1 << 20) / Date().timeIntervalSince(begin))
        }
        return best
    }
}

/// Debian's nginx serving a folder on a loopback port, for comparison.
final class NginxServer {
    let process: Process
    let port: Int

    init(root: String, work: URL) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/nginx") else {
            throw CLIError("nginx is not installed")
        }
        port = 20_000 + Int(getpid() % 10_000)
        let prefix = work.appendingPathComponent("nginx")
        try FileManager.default.createDirectory(
            at: prefix.appendingPathComponent("logs"), withIntermediateDirectories: true)
        let config = prefix.appendingPathComponent("nginx.conf")
        // As root, nginx workers drop to `nobody`, who cannot read the store's private blob folder.
        let user = getuid() == 0 ? "user root;" : ""
        try Data(
            """
            \(user) daemon off; worker_processes 1; pid \(prefix.path)/nginx.pid; error_log \(prefix.path)/logs/error.log;
            events { worker_connections 256; }
            http { access_log off; sendfile on; types { application/octet-stream snap; }
              client_body_temp_path \(prefix.path); proxy_temp_path \(prefix.path); fastcgi_temp_path \(prefix.path);
              uwsgi_temp_path \(prefix.path); scgi_temp_path \(prefix.path);
              server { listen 127.0.0.1:\(port); root \(root); } }
            """.utf8
        ).write(to: config)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/nginx")
        process.arguments = ["-p", prefix.path, "-c", config.path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: 0.5)
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }
}
