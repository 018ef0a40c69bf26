import Foundation

/// CPU time a server process and its live children (nginx's workers) have used, from
/// `/proc/PID/stat`. Per request, it is a server's cost with the machine's noise mostly taken out:
/// throughput on two shared cores moves by a fifth between runs, CPU time per request far less.
enum ProcessCPU {
    /// User and system seconds of `pid` and of its children, recursively.
    static func seconds(of pid: pid_t) -> Double {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        guard ticks > 0 else { return 0 }
        return Double(self.ticks(of: pid)) / ticks
    }

    private static func ticks(of pid: pid_t) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return 0 }
        // After the command's `)`: state is field 3, utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        guard fields.count > 13, let user = Int(fields[11]), let system = Int(fields[12]) else { return 0 }
        let children =
            (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8))?
            .split(separator: " ").compactMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? []
        return user + system + children.map { ticks(of: $0) }.reduce(0, +)
    }
}
