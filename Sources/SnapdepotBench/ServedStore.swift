import ChildProcesses
import Foundation
import SnapdepotCLI

/// `snapdepot serve` as a user starts it, in its own process, so that a load measures the server
/// as shipped and its memory is its own.
final class ServedStore {
    let child: ChildProcess
    let base: String
    private let log: String

    /// `arguments` are added to serve's (`--database URL` for a replica); `name` tells logs apart;
    /// `binary` is another build's `snapdepot` (the one beside this bench by default).
    init(
        data: String, work: URL, arguments: [String] = [], name: String = "serve", binary: String? = nil
    ) throws {
        let binary =
            binary
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("snapdepot").path
        log = work.appendingPathComponent("\(name).log").path
        child = try ChildProcess(
            binary, ["serve", "--data", data, "--listen", "127.0.0.1:0", "--key-bits", "2048"] + arguments,
            output: .file(log))
        let deadline = ContinuousClock.now + .seconds(60)
        var found: String?
        while found == nil, ContinuousClock.now < deadline, child.isRunning {
            usleep(50_000)
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            found = text.split(separator: "\n").first { $0.hasPrefix("export SNAPDEPOT_URL=") }
                .map { String($0.dropFirst("export SNAPDEPOT_URL=".count)) }
        }
        guard let found else {
            child.signal(SIGKILL)
            throw CLIError(
                "snapdepot serve did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        }
        base = found
    }

    /// The last lines the server printed (its warnings and errors).
    func logTail(lines: Int = 20) -> String {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(lines)
            .joined(separator: "\n")
    }

    /// The server's resident memory now and at its peak, in bytes (`/proc/PID/status`).
    func memory() -> (resident: Int, peak: Int) {
        let status = (try? String(contentsOfFile: "/proc/\(child.processIdentifier)/status", encoding: .utf8)) ?? ""
        func kibibytes(_ field: String) -> Int {
            status.split(separator: "\n").first { $0.hasPrefix(field + ":") }
                .flatMap { Int($0.split(whereSeparator: \.isWhitespace).dropFirst().first ?? "") }
                .map { $0 * 1024 } ?? 0
        }
        return (kibibytes("VmRSS"), kibibytes("VmHWM"))
    }

    func stop() {
        child.signal(SIGTERM)
        _ = child.wait(timeout: .seconds(20))
    }
}
