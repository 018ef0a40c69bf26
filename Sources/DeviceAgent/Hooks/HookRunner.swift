import Foundation
import SnapFiles

/// Runs a snap's own hooks (`meta/hooks/NAME`) as processes, as snapd's hook manager does
/// (`overlord/hookstate`): with the snap's environment, and killed when they overrun their
/// timeout. A snap without the hook has nothing to run.
public struct HookRunner: Sendable {
    /// snapd gives a hook ten minutes by default; devices in a workshop cannot wait that long.
    public var timeout: Duration

    public init(timeout: Duration = .seconds(60)) {
        self.timeout = timeout
    }

    /// Runs `hook` of the snap file if it has one; false when it has none. A hook that exits
    /// non-zero or overruns is an error naming the hook, its status and the last line it printed.
    @discardableResult
    public func run(_ hook: String, of snap: SnapFile, revision: Int) async throws -> Bool {
        guard snap.metadata.hooks.contains(hook) else { return false }
        let bytes = try SquashfsImage(path: snap.path).readFile(atPath: "meta/hooks/\(hook)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "snapdepot-hook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let executable = folder.appendingPathComponent(hook)
        try Data(bytes).write(to: executable)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: executable.path)

        let name = snap.metadata.name
        let process = Process()
        process.executableURL = executable
        process.currentDirectoryURL = folder
        process.environment = [
            "PATH": "/usr/bin:/bin", "SNAP_NAME": name, "SNAP_INSTANCE_NAME": name,
            "SNAP_REVISION": String(revision), "SNAP_VERSION": snap.metadata.version, "SNAP_COMMON": folder.path,
            "SNAP_DATA": folder.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: DeviceAgentError("cannot run the \(hook) hook of \"\(name)\": \(error)"))
                return
            }
            let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                if process.isRunning { process.terminate() }
            }
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard status == 0, process.terminationReason == .exit else {
            let last = text.split(separator: "\n").last.map { ": \($0)" } ?? ""
            let how =
                process.terminationReason == .uncaughtSignal
                ? "was killed after \(timeout)" : "failed with exit status \(status)"
            throw DeviceAgentError("the \(hook) hook of \"\(name)\" (\(revision)) \(how)\(last)")
        }
        return true
    }
}
