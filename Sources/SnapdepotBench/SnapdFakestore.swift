import ChildProcesses
import Foundation
import SnapFiles
import SnapdepotCLI

/// snapd's own test store (`tests/lib/fakestore`, built by `scripts/build-snapd-fakestore`), the
/// peer users know, serving one small snap (signed with snapd's test keys by fakestore's own
/// commands) and the download files beside it.
final class SnapdFakestore {
    let child: ChildProcess
    let port: Int
    /// The snap-id fakestore gives the snap it serves ("NAME-id").
    let snapID = "benchsmall-id"
    var base: String { "http://127.0.0.1:\(port)" }
    /// Its cheapest route: a two-byte file through Go's file server.
    static let trivialRoute = "/download/ok.bin"

    /// The fakestore binary: `--fakestore`, `$SNAPDEPOT_FAKESTORE`, or `.build/snapd-fakestore`.
    static func binary(_ given: String?) -> String? {
        let candidates = [given, ProcessInfo.processInfo.environment["SNAPDEPOT_FAKESTORE"], ".build/snapd-fakestore"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// `downloads` are linked into its folder under their labels with `.bin` (not `.snap`, which
    /// fakestore would open on every refresh), served at `/download/LABEL.bin`.
    init(binary: String, work: URL, downloads: [String: String]) throws {
        let folder = work.appendingPathComponent("fakestore")
        let source = work.appendingPathComponent("fakestore-source")
        try FileManager.default.createDirectory(
            at: source.appendingPathComponent("meta"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("name: benchsmall\nversion: '1'\nsummary: s\ndescription: d\n".utf8)
            .write(to: source.appendingPathComponent("meta/snap.yaml"))
        let snap = folder.appendingPathComponent("benchsmall_1.snap").path
        _ = try SnapPacker().pack(directory: source.path, output: snap)
        for command in ["new-snap-declaration", "new-snap-revision"] {
            let signed = try ChildProcess.run(binary, [command, "--dir", folder.path, snap], timeout: .seconds(60))
            guard signed.succeeded else { throw CLIError("fakestore \(command): \(signed.output)") }
        }
        for (label, path) in downloads {
            try FileManager.default.linkItem(
                atPath: path, toPath: folder.appendingPathComponent("\(label).bin").path)
        }
        // Its root answers 418, which wrk counts as an error: a two-byte file is its trivial route.
        try Data("ok".utf8).write(to: folder.appendingPathComponent("ok.bin"))
        port = try BenchPorts.free()
        child = try ChildProcess(
            binary, ["run", "--dir", folder.path, "--addr", "127.0.0.1:\(port)"],
            output: .file(work.appendingPathComponent("fakestore.log").path))
        try BenchPorts.waitUntilListening(port, child: child)
    }

    func stop() {
        child.signal(SIGTERM)
        _ = child.wait(timeout: .seconds(10))
    }
}
