import ArgumentParser
import Foundation
import SnapFiles
import SnapdepotCLI
import StoreCore
import StorePersistence
import StoreProtocol

/// The store's two hot paths: taking in an upload, and reading channel maps to answer devices.
struct StoreBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Upload ingest of a large snap beside openssl dgst, and channel-map reads in a big catalogue."
    )

    @Option(name: .customLong("size-mib"), help: "Size of the uploaded snap, in MiB.") var sizeMiB: Int = 100
    @Option(help: "Snaps in the read benchmark's catalogue.") var snaps: Int = 10_000
    @Option(help: "Revisions per snap in that catalogue.") var revisionsPerSnap: Int = 10
    @Option(help: "Seconds of channel-map reads.") var seconds: Double = 5
    @OptionGroup var database: DatabaseOption
    @Flag(help: "Print machine-readable JSON.") var json = false

    struct Figures: Encodable {
        var catalogue: String
        var uploadBytes: UInt64
        var ingestMiBPerSecond: Double
        var opensslSHA3_384MiBPerSecond: Double?
        var catalogueSnaps: Int
        var catalogueRevisions: Int
        var seedSeconds: Double
        var channelMapReadsPerSecond: Double
    }

    func run() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("snapdepot-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        BenchSupport.progress(json, "creating a store (2048-bit keys: benchmark only)…")
        let (store, catalogue, _) = try await DataDirectory(path: work.appendingPathComponent("data").path)
            .openStore(keyBits: 2048, uploadLimit: UInt64(sizeMiB + 16) << 20, database: try database.postgres)
        let acme = try await store.createAccount(username: "bench", by: .admin)
        let publisher = Principal(role: .publisher, accountID: acme.id)
        _ = try await store.register(name: "bench-snap", by: publisher)

        BenchSupport.progress(json, "packing a \(sizeMiB) MiB snap…")
        let source = work.appendingPathComponent("source")
        try FileManager.default.createDirectory(
            at: source.appendingPathComponent("meta"), withIntermediateDirectories: true)
        try Data("name: bench-snap\nversion: '1'\nsummary: bench\ndescription: bench\n".utf8)
            .write(to: source.appendingPathComponent("meta/snap.yaml"))
        try BenchSupport.writeRandomFile(source.appendingPathComponent("payload"), mebibytes: sizeMiB)
        let snapPath = work.appendingPathComponent("bench.snap").path
        _ = try SnapPackerBridge.pack(source.path, to: snapPath)
        let size = (try FileManager.default.attributesOfItem(atPath: snapPath)[.size] as? UInt64) ?? 0

        BenchSupport.progress(json, "ingesting it (stream to disk + SHA3-384 + sync + validate + sign + commit)…")
        let started = Date()
        let blob = try store.blobs.ingest(fileAt: snapPath, limit: store.uploadLimit)
        _ = try await store.upload(blob, name: "bench-snap", by: publisher)
        let ingest = Double(size) / Double(1 << 20) / Date().timeIntervalSince(started)
        let opensslStarted = Date()
        let openssl =
            BenchSupport.run(["openssl", "dgst", "-sha3-384", snapPath]) != nil
            ? Double(size) / Double(1 << 20) / Date().timeIntervalSince(opensslStarted) : nil

        BenchSupport.progress(
            json, "seeding \(snaps) snaps × \(revisionsPerSnap) revisions (benchmark-only bulk insert)…")
        let seedStarted = Date()
        let ids = try await catalogue.seedForBenchmark(snaps: snaps, revisionsPerSnap: revisionsPerSnap)
        let seedSeconds = Date().timeIntervalSince(seedStarted)

        BenchSupport.progress(json, "reading channel maps for \(seconds) s on 2 tasks…")
        let request = try ChannelRequest.parse("beta")
        let duration = seconds
        let readsStarted = Date()
        let reads = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<2 {
                group.addTask {
                    var generator = SystemRandomNumberGenerator()
                    var count = 0
                    let start = Date()
                    while Date().timeIntervalSince(start) < duration {
                        let snapID = ids[Int.random(in: 0..<ids.count, using: &generator)]
                        let map = try await catalogue.channelMap(snapID: snapID)
                        guard map.resolve(request, architecture: "amd64", bucket: Double(worker), at: 0) != nil else {
                            throw CLIError("a seeded channel did not resolve")
                        }
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let figures = Figures(
            catalogue: try database.postgres.map { "PostgreSQL \($0)" } ?? "SQLite",
            uploadBytes: size, ingestMiBPerSecond: ingest, opensslSHA3_384MiBPerSecond: openssl,
            catalogueSnaps: snaps, catalogueRevisions: snaps * revisionsPerSnap, seedSeconds: seedSeconds,
            channelMapReadsPerSecond: Double(reads) / Date().timeIntervalSince(readsStarted))
        if json { return try JSONOutput.print(figures) }
        BenchSupport.header()
        BenchSupport.row("upload ingest (\(sizeMiB) MiB snap)", ingest, openssl, "MiB/s")
        BenchSupport.row("channel-map reads + resolve", figures.channelMapReadsPerSecond, nil, "reads/s")
        print(
            "catalogue (\(figures.catalogue)): \(snaps) snaps, \(snaps * revisionsPerSnap) revisions, seeded in \(String(format: "%.1f", seedSeconds)) s"
        )
    }
}

enum SnapPackerBridge {
    static func pack(_ directory: String, to output: String) throws -> UInt64 {
        try SnapPacker().pack(directory: directory, output: output).size
    }
}
