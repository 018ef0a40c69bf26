import Dispatch
import Synchronization
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Standard error for log lines, written in batches. `serve` logs a line for every request, and
/// writing each one alone (a `write` per request) with swift-log's stream handler cost a fifth of a
/// `/readyz` request's CPU (docs/performance.md). Lines below warning wait at most `delay` (50 ms),
/// or until `batchBytes` are pending, as nginx's `access_log … buffer= flush=` does; a warning or
/// worse is written at once, after what was pending, so nothing that reports trouble waits and the
/// order holds. What is pending is written when the process exits normally; a process killed
/// outright loses at most `delay` of request lines.
final class LogLineWriter: Sendable {
    static let standardError = LogLineWriter(descriptor: STDERR_FILENO)

    static let batchBytes = 32 * 1024

    private struct State {
        var pending: [UInt8] = []
        var flushScheduled = false
        /// The second `stamp` is for: a line's time is formatted once a second, not once a line.
        var stampSecond = Int.min
        var stamp: [UInt8] = []
    }

    private let descriptor: CInt
    private let delay: DispatchTimeInterval
    private let state = Mutex(State())

    init(descriptor: CInt, delay: DispatchTimeInterval = .milliseconds(50)) {
        self.descriptor = descriptor
        self.delay = delay
    }

    /// Appends `line` (which ends with a newline) after the local time, as swift-log's
    /// `StreamLogHandler` starts its lines; `urgent` writes it now.
    func write(_ line: String, urgent: Bool) {
        let scheduleFlush = state.withLock { state in
            // The coarse clock is read from memory the kernel updates: no system call per line.
            var now = timespec()
            clock_gettime(CLOCK_REALTIME_COARSE, &now)
            if now.tv_sec != state.stampSecond {
                state.stampSecond = now.tv_sec
                state.stamp = Self.localTime(now.tv_sec)
            }
            state.pending += state.stamp
            state.pending.append(UInt8(ascii: " "))
            state.pending += line.utf8
            guard !urgent, state.pending.count < Self.batchBytes else {
                writePending(&state)
                return false
            }
            // One timer at a time: it writes every line kept until it fires.
            if state.flushScheduled { return false }
            state.flushScheduled = true
            return true
        }
        if scheduleFlush {
            DispatchQueue.global().asyncAfter(deadline: .now() + delay) { self.flush() }
        }
    }

    /// Writes what is pending now.
    func flush() {
        state.withLock { state in
            state.flushScheduled = false
            writePending(&state)
        }
    }

    /// Under the lock, so that batches leave in the order their lines came.
    private func writePending(_ state: inout State) {
        // A closed or full standard error: the lines have nowhere to go.
        _ = try? FileDescriptor(rawValue: descriptor).writeAll(state.pending)
        state.pending.removeAll(keepingCapacity: true)
    }

    /// `2026-12-02T17:29:43+0000`, as `StreamLogHandler` formats it.
    private static func localTime(_ seconds: Int) -> [UInt8] {
        var time = time_t(seconds)
        var parts = tm()
        var buffer = [CChar](repeating: 0, count: 64)
        guard localtime_r(&time, &parts) != nil else { return Array("<unknown>".utf8) }
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%S%z", &parts)
        return buffer.prefix(count).map { UInt8(bitPattern: $0) }
    }
}
