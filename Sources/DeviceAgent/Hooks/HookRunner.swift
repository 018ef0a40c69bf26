import ChildProcesses
import Foundation
import SnapFiles

/// Runs a snap's own hooks (`meta/hooks/NAME`) as processes, as snapd's hook manager does
/// (`overlord/hookstate`): with the snap's environment, and killed when they overrun their
/// timeout. A snap without the hook has nothing to run.
public struct HookRunner: Sendable {
    /// A hook of one revision of a snap, whose outcome a simulated device (the fleet) decides
    /// beforehand instead of running the snap's code.
    public struct SimulatedHook: Hashable, Sendable {
        public let revision: SnapAndRevision
        public let hook: String

        public init(_ revision: SnapAndRevision, hook: String) {
            self.revision = revision
            self.hook = hook
        }
    }

    /// snapd gives a hook ten minutes by default; devices in a workshop cannot wait that long.
    public var timeout: Duration
    /// Outcomes that replace running the hook: nil for success, else the failure's last line.
    public var simulated: [SimulatedHook: String?] = [:]

    public init(timeout: Duration = .seconds(60)) {
        self.timeout = timeout
    }

    /// Runs `hook` of the snap file at `path` if it has one; false when it has none. A hook that
    /// exits non-zero or overruns is an error naming the hook, its status and the last line it
    /// printed. Only the hook is read from the file: an installed snap is not hashed again.
    @discardableResult
    public func run(_ hook: String, snapAt path: String, name: String, version: String, revision: Int)
        async throws -> Bool
    {
        if let outcome = simulated[SimulatedHook(SnapAndRevision(snap: name, revision: revision), hook: hook)] {
            guard let failure = outcome else { return true }
            throw DeviceAgentError(
                "the \(hook) hook of \"\(name)\" (\(revision)) failed with exit status 1: \(failure) (simulated)")
        }
        let image = try SquashfsImage(path: path)
        guard (try? image.inode(atPath: "meta/hooks/\(hook)")) != nil else { return false }
        let bytes = try image.readFile(atPath: "meta/hooks/\(hook)")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "snapdepot-hook-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let executable = folder.appendingPathComponent(hook)
        try Data(bytes).write(to: executable)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: executable.path)

        let child: ChildProcess
        do {
            child = try ChildProcess(
                executable.path,
                environment: [
                    "PATH": "/usr/bin:/bin", "SNAP_NAME": name, "SNAP_INSTANCE_NAME": name,
                    "SNAP_REVISION": String(revision), "SNAP_VERSION": version, "SNAP_COMMON": folder.path,
                    "SNAP_DATA": folder.path,
                ],
                directory: folder.path)
        } catch {
            throw DeviceAgentError("cannot run the \(hook) hook of \"\(name)\": \(error)")
        }
        let outcome = await child.ended(timeout: timeout)
        guard outcome.succeeded else {
            let last = outcome.output.split(separator: "\n").last.map { ": \($0)" } ?? ""
            let how =
                outcome.timedOut || outcome.signal != nil
                ? "was killed (\(outcome.describe(timeout: timeout)))" : "failed with exit status \(outcome.status)"
            throw DeviceAgentError("the \(hook) hook of \"\(name)\" (\(revision)) \(how)\(last)")
        }
        return true
    }
}
