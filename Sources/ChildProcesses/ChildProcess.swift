import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A program the CLI, the agent or a benchmark starts, spawned as a shell would start it.
///
/// Foundation's `Process` hands the child the signal mask of whichever thread calls `run()`. Swift's
/// concurrency and Dispatch threads block most signals, so a child started from async code began
/// with SIGALRM blocked, and `openssl speed`, which times itself with `alarm`, never finished.
/// Here the child starts with an empty signal mask and default dispositions (SIGPIPE, which NIO
/// ignores, included), in a process group of its own so that a timeout ends what it started too.
public final class ChildProcess: Sendable {
    public let processIdentifier: pid_t
    public let executable: String
    private let outputPath: String?

    /// What a finished child left: how it ended and what it printed (stdout and stderr together,
    /// when captured).
    public struct Outcome: Sendable {
        public let status: Int32
        /// The signal that ended it, or nil when it exited.
        public let signal: Int32?
        public let timedOut: Bool
        public let output: String

        public var succeeded: Bool { status == 0 && signal == nil && !timedOut }

        /// How it ended, as a person reads it: "exit status 2", "signal 9", "timed out after 5 s".
        public func describe(timeout: Duration?) -> String {
            if timedOut, let timeout { return "timed out after \(timeout.seconds) s" }
            if let signal { return "signal \(signal)" }
            return "exit status \(status)"
        }
    }

    /// Where the child's stdout and stderr go.
    public enum Output: Sendable {
        /// Kept and returned in `Outcome.output`.
        case capture
        /// stdout kept and returned in `Outcome.output`, stderr discarded.
        case captureStandardOutput
        /// Discarded.
        case discard
        /// Appended to a file.
        case file(String)
        /// The parent's own.
        case inherit
    }

    /// Starts `executable` (a path, or a name looked up on PATH) with `arguments`.
    /// `environment` replaces the parent's when given.
    public init(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        directory: String? = nil, output: Output = .capture
    ) throws {
        self.executable = executable
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        var capture: String?
        switch output {
        case .capture, .captureStandardOutput:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent(
                "snapdepot-child-\(UUID().uuidString).out"
            ).path
            capture = path
            posix_spawn_file_actions_addopen(&fileActions, 1, path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            if case .capture = output {
                posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
            } else {
                posix_spawn_file_actions_addopen(&fileActions, 2, "/dev/null", O_WRONLY, 0)
            }
        case .discard:
            posix_spawn_file_actions_addopen(&fileActions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
        case .file(let path):
            posix_spawn_file_actions_addopen(&fileActions, 1, path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
            posix_spawn_file_actions_adddup2(&fileActions, 1, 2)
        case .inherit:
            break
        }
        posix_spawn_file_actions_addopen(&fileActions, 0, "/dev/null", O_RDONLY, 0)
        Self.closeDescriptorsAboveStandardError(&fileActions)
        outputPath = capture

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var all = sigset_t()
        sigfillset(&all)
        sigdelset(&all, SIGKILL)
        sigdelset(&all, SIGSTOP)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let environmentLines = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        // Glibc's posix_spawn_file_actions_addchdir_np is not in Swift's Glibc module: sh changes
        // folder and then becomes the program.
        let command =
            directory.map { ["/bin/sh", "-c", #"cd "$0" && exec "$@""#, $0, executable] + arguments }
            ?? [executable] + arguments
        var pid: pid_t = 0
        let result = Self.withCStrings(command) { argv in
            Self.withCStrings(environmentLines) { envp in
                // posix_spawnp looks a bare name up on PATH, as a shell does.
                posix_spawnp(&pid, command[0], &fileActions, &attributes, argv, envp)
            }
        }
        guard result == 0 else {
            if let capture { unlink(capture) }
            throw ChildProcessError("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        processIdentifier = pid
    }

    /// Runs a program to its end (or its timeout) and returns how it ended.
    public static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        directory: String? = nil, output: Output = .capture, timeout: Duration? = nil
    ) throws -> Outcome {
        try ChildProcess(executable, arguments, environment: environment, directory: directory, output: output)
            .wait(timeout: timeout)
    }

    /// `wait` off the caller's thread, for async code that must not hold a concurrency thread while
    /// a child works.
    public func ended(timeout: Duration? = nil) async -> Outcome {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: self.wait(timeout: timeout)) }
        }
    }

    /// Sends `signal` to the child's whole process group.
    public func signal(_ signal: Int32 = SIGTERM) {
        kill(-processIdentifier, signal)
    }

    /// Whether the child has not been reaped yet.
    public var isRunning: Bool { kill(processIdentifier, 0) == 0 && !hasExited }

    private var hasExited: Bool {
        var info = siginfo_t()
        // WNOWAIT leaves the child to be reaped by `wait`.
        return waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOHANG | WNOWAIT) == 0
            && info._sifields._sigchld.si_pid == processIdentifier
    }

    /// Waits for the child to end; past `timeout`, its group gets SIGTERM, and SIGKILL 2 s later.
    public func wait(timeout: Duration? = nil) -> Outcome {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var timedOut = false
        var status: Int32 = 0
        while true {
            let reaped = waitpid(processIdentifier, &status, deadline == nil ? 0 : WNOHANG)
            if reaped == processIdentifier { break }
            if reaped == -1, errno != EINTR { break }
            if let deadline, ContinuousClock.now >= deadline {
                if !timedOut {
                    timedOut = true
                    signal(SIGTERM)
                    let grace = ContinuousClock.now + .seconds(2)
                    while ContinuousClock.now < grace, waitpid(processIdentifier, &status, WNOHANG) == 0 {
                        usleep(20_000)
                    }
                    signal(SIGKILL)
                    _ = waitpid(processIdentifier, &status, 0)
                    break
                }
            }
            if deadline != nil { usleep(5_000) }
        }
        // A process group outlives its leader: whatever the child left running goes with it.
        kill(-processIdentifier, SIGKILL)
        var text = ""
        if let outputPath {
            text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            unlink(outputPath)
        }
        let signalled = status & 0x7f
        return Outcome(
            status: signalled == 0 ? (status >> 8) & 0xff : 128 + signalled,
            signal: signalled == 0 ? nil : signalled, timedOut: timedOut, output: text)
    }

    /// A child gets no descriptor of its parent beyond the standard three: a hook or a benchmark's
    /// server holding the parent's sockets and files is a leak, and was seen to break wrk's
    /// connections when a benchmark ran under the test runner. glibc (2.34 and later) closes them
    /// in the child itself, which no other thread can race; Swift's Glibc module does not declare
    /// that action, so it is looked up by name. Older C libraries get the parent's list, which a
    /// descriptor another thread opens meanwhile can still slip past.
    private static func closeDescriptorsAboveStandardError(_ fileActions: inout posix_spawn_file_actions_t) {
        // It fails only when out of memory; the list below then does the same, racily.
        if let closeFrom = addCloseFrom, closeFrom(&fileActions, 3) == 0 { return }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        // glibc ignores a close of a descriptor another thread closed meanwhile.
        for descriptor in names.compactMap({ CInt($0) })
        where descriptor > 2 && fcntl(descriptor, F_GETFD) & FD_CLOEXEC == 0 {
            posix_spawn_file_actions_addclose(&fileActions, descriptor)
        }
    }

    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, CInt) -> CInt

    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map {
        unsafeBitCast($0, to: AddCloseFrom.self)
    }

    private static func withCStrings<Result>(
        _ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) throws -> Result
    ) rethrows -> Result {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        return try body(pointers)
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

extension Duration {
    fileprivate var seconds: String {
        let (whole, fraction) = components
        return fraction == 0 ? String(whole) : String(format: "%.1f", Double(whole) + Double(fraction) / 1e18)
    }
}
