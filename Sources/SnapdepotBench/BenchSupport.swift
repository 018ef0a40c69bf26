import ChildProcesses
import Foundation
import SnapdepotCLI

/// What the benchmarks share: timing loops, test files, and running OpenSSL's tools beside them.
enum BenchSupport {
    static func progress(_ json: Bool, _ text: String) {
        if !json { FileHandle.standardError.write(Data("\(text)\n".utf8)) }
    }

    /// Operations per second of `operation`, run for `seconds`.
    static func rate(_ seconds: Double, _ operation: () throws -> Void) throws -> Double {
        let start = Date()
        var count = 0
        while Date().timeIntervalSince(start) < seconds {
            try operation()
            count += 1
        }
        return Double(count) / Date().timeIntervalSince(start)
    }

    /// Seconds `operation` takes, once.
    static func time(_ operation: () throws -> Void) rethrows -> Double {
        let start = Date()
        try operation()
        return Date().timeIntervalSince(start)
    }

    static func writeRandomFile(_ url: URL, mebibytes: Int) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CLIError("cannot create \(url.path)")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var generator = SystemRandomNumberGenerator()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<mebibytes {
            for index in stride(from: 0, to: chunk.count, by: 8) {
                withUnsafeBytes(of: generator.next() as UInt64) { chunk.replaceSubrange(index..<index + 8, with: $0) }
            }
            try handle.write(contentsOf: chunk)
        }
    }

    /// Runs a tool found on PATH (stdout only); nil if it is missing, fails or overruns `timeout`.
    static func run(_ arguments: [String], timeout: Duration = .seconds(300)) -> String? {
        guard let tool = arguments.first,
            let outcome = try? ChildProcess.run(
                tool, Array(arguments.dropFirst()), output: .captureStandardOutput, timeout: timeout),
            outcome.succeeded
        else { return nil }
        return outcome.output
    }

    static func row(_ name: String, _ ours: Double, _ theirs: Double?, _ unit: String) {
        let other = theirs.map { String(format: "%10.1f", $0) } ?? "       n/a"
        print(
            name.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%10.1f", ours) + other
                + "  \(unit)")
    }

    static func header() {
        print("measure".padding(toLength: 30, withPad: " ", startingAt: 0) + " snapdepot   openssl")
    }
}
