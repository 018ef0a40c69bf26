import ChildProcesses
import Foundation

public struct CommandResult: Sendable {
    public let status: Int32
    public let output: String

    public init(status: Int32, output: String) {
        self.status = status
        self.output = output
    }
}

/// Runs a program found on PATH (or at an absolute path) and returns its status and combined output;
/// one that runs past `timeout` is killed and reported with status 124, as `timeout(1)` does.
public func runCommand(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(1800)) throws
    -> CommandResult
{
    let outcome = try ChildProcess.run(executable, arguments, timeout: timeout)
    return CommandResult(status: outcome.timedOut ? 124 : outcome.status, output: outcome.output)
}

/// A new, empty folder under the system's temporary directory.
public func makeTemporaryDirectory(_ label: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A small deterministic generator, so that a failing mutation test can be replayed.
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
