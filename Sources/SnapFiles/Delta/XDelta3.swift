import ChildProcesses
import Foundation

/// Binary deltas between two revisions of a snap in the one format snapd applies: VCDIFF made and
/// applied by `xdelta3` (`store/store_download.go`: `xdelta3 -d -s OLD DELTA NEW`). The store
/// makes them, the device agent applies them; both run Debian's `xdelta3`, the program snapd runs.
public enum XDelta3 {
    /// The format's name on the wire: `Snap-Accept-Delta-Format` and a delta's `format`.
    public static let format = "xdelta3"

    /// Whether `xdelta3 config` runs here: snapd's own test before it asks a store for deltas.
    public static let isAvailable: Bool = {
        (try? ChildProcess.run("xdelta3", ["config"], output: .discard, timeout: .seconds(10)))?.succeeded ?? false
    }()

    /// Writes to `output` the delta that turns `source` into `target`.
    public static func encode(source: String, target: String, output: String, timeout: Duration) async throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: source)[.size] as? UInt64) ?? 0
        try await run(
            [
                "-e", "-f",
                // External decompression off: a snap is squashfs, and a delta must not ask the
                // device to recompress anything.
                "-D",
                // A source window as large as the old snap (64 MiB to 1 GiB), so that a match far
                // into a large snap is still found.
                "-B", String(min(max(size, 64 << 20), 1 << 30)),
                "-s", source, target, output,
            ], timeout: timeout)
    }

    /// Writes to `output` what `delta` makes of `source`, exactly as snapd runs it.
    public static func decode(source: String, delta: String, output: String, timeout: Duration) async throws {
        try await run(["-d", "-f", "-s", source, delta, output], timeout: timeout)
    }

    /// Waits off the concurrency threads: a large snap's delta takes seconds.
    private static func run(_ arguments: [String], timeout: Duration) async throws {
        let child: ChildProcess
        do {
            child = try ChildProcess("xdelta3", arguments)
        } catch {
            throw SnapFileError(.io, "cannot run xdelta3 (Debian's package xdelta3): \(error)")
        }
        let outcome = await child.ended(timeout: timeout)
        guard outcome.succeeded else {
            let last = outcome.output.split(separator: "\n").last.map(String.init) ?? ""
            throw SnapFileError(
                .io, "xdelta3 \(arguments[0]) failed (\(outcome.describe(timeout: timeout))): \(last)")
        }
    }
}
