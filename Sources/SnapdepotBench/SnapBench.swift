import ArgumentParser
import Foundation
import SnapFiles
import SnapdepotCLI

/// How fast a snap the store is handed can be read and hashed, beside `openssl dgst -sha3-384`.
struct SnapBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snap",
        abstract: "Pack a --size-mib snap, then time reading and hashing it beside openssl dgst."
    )

    @Option(
        name: .customLong("size-mib"), help: "Size of the snap's payload (random, so the snap is as large), in MiB.")
    var sizeMiB: Int = 100
    @Option(help: "Repetitions of each timed read; the best is reported.") var repeats: Int = 3
    @Flag(help: "Print machine-readable JSON.") var json = false

    struct Figures: Encodable {
        var snapBytes: UInt64
        var packMiBPerSecond: Double
        var openAndHashMiBPerSecond: Double
        var extractAllMiBPerSecond: Double
        var opensslSHA3_384MiBPerSecond: Double?
    }

    func run() throws {
        guard sizeMiB > 0, repeats > 0 else { throw CLIError("--size-mib and --repeats must be positive") }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("snapdepot-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        let source = work.appendingPathComponent("source")
        try FileManager.default.createDirectory(
            at: source.appendingPathComponent("meta"), withIntermediateDirectories: true)
        try Data("name: bench-snap\nversion: '1'\nsummary: benchmark\ndescription: benchmark\n".utf8)
            .write(to: source.appendingPathComponent("meta/snap.yaml"))
        BenchSupport.progress(json, "writing \(sizeMiB) MiB of payload…")
        // Random bytes do not compress, so the snap is as large as its payload.
        try BenchSupport.writeRandomFile(source.appendingPathComponent("payload.bin"), mebibytes: sizeMiB)

        let snapPath = work.appendingPathComponent("bench.snap").path
        BenchSupport.progress(json, "packing…")
        let packSeconds = try BenchSupport.time { _ = try SnapPacker().pack(directory: source.path, output: snapPath) }
        let size = (try FileManager.default.attributesOfItem(atPath: snapPath)[.size] as? UInt64) ?? 0
        let mebibytes = Double(size) / Double(1 << 20)

        BenchSupport.progress(json, "reading and hashing \(String(format: "%.1f", mebibytes)) MiB, best of \(repeats)…")
        var openSeconds = Double.infinity
        var opensslSeconds: Double?
        var extractSeconds = Double.infinity
        for _ in 0..<repeats {
            openSeconds = min(openSeconds, try BenchSupport.time { _ = try SnapFile.open(path: snapPath) })
            let started = Date()
            if BenchSupport.run(["openssl", "dgst", "-sha3-384", snapPath]) != nil {
                opensslSeconds = min(opensslSeconds ?? .infinity, Date().timeIntervalSince(started))
            }
            extractSeconds = min(
                extractSeconds,
                try BenchSupport.time {
                    let image = try SquashfsImage(path: snapPath)
                    try image.walk { _, inode in
                        if inode.kind == .file { try image.forEachBlock(of: inode) { _ in } }
                    }
                })
        }
        let figures = Figures(
            snapBytes: size, packMiBPerSecond: Double(sizeMiB) / packSeconds,
            openAndHashMiBPerSecond: mebibytes / openSeconds, extractAllMiBPerSecond: Double(sizeMiB) / extractSeconds,
            opensslSHA3_384MiBPerSecond: opensslSeconds.map { mebibytes / $0 })
        if json {
            try JSONOutput.print(figures)
            return
        }
        print("snap: \(size) bytes (\(String(format: "%.1f", mebibytes)) MiB)")
        BenchSupport.header()
        BenchSupport.row(
            "open + SHA3-384 (store read)", figures.openAndHashMiBPerSecond, figures.opensslSHA3_384MiBPerSecond,
            "MiB/s")
        BenchSupport.row("decompress every file", figures.extractAllMiBPerSecond, nil, "MiB/s")
        BenchSupport.row("pack (xz)", figures.packMiBPerSecond, nil, "MiB/s")
    }
}
