import ChildProcesses
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct ChildProcessTests {
    /// The signals a child starts with blocked, from its own /proc status (a hex mask).
    private static func blockedSignals(_ outcome: ChildProcess.Outcome) -> UInt64? {
        outcome.output.split(separator: "\n").first { $0.hasPrefix("SigBlk:") }
            .flatMap { UInt64($0.dropFirst("SigBlk:".count).trimmingCharacters(in: .whitespaces), radix: 16) }
    }

    @Test func aChildStartsWithNoSignalBlockedWhateverTheSpawningThreadBlocks() throws {
        // As on a Dispatch or concurrency thread: SIGALRM blocked in the thread that spawns.
        let outcome = try Self.onThreadBlocking(SIGALRM) {
            try ChildProcess.run("/bin/grep", ["SigBlk", "/proc/self/status"], timeout: .seconds(10))
        }
        #expect(outcome.succeeded, "\(outcome)")
        #expect(Self.blockedSignals(outcome) == 0, "\(outcome.output)")
    }

    @Test func aTimerBasedToolFinishesWhenStartedFromAThreadBlockingSIGALRM() throws {
        // `sleep 30` ended by its own alarm after 1 s: the way `openssl speed` times itself.
        let outcome = try Self.onThreadBlocking(SIGALRM) {
            try ChildProcess.run(
                "/usr/bin/perl", ["-e", "$SIG{ALRM} = sub { print \"alarm\\n\"; exit 0 }; alarm 1; sleep 30; exit 3"],
                timeout: .seconds(20))
        }
        #expect(outcome.succeeded && outcome.output == "alarm\n", "\(outcome)")
    }

    @Test func aChildPastItsTimeoutIsEndedWithWhatItStarted() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString)").path
        // The grandchild would write the marker after 3 s if it outlived the timeout.
        let outcome = try ChildProcess.run(
            "/bin/sh", ["-c", "(sleep 3; touch \(marker)) & sleep 60"], timeout: .milliseconds(500))
        #expect(outcome.timedOut && !outcome.succeeded)
        #expect(outcome.describe(timeout: .milliseconds(500)) == "timed out after 0.5 s")
        Thread.sleep(forTimeInterval: 3.5)
        #expect(!FileManager.default.fileExists(atPath: marker), "the grandchild outlived the timeout")
    }

    @Test func statusOutputAndErrorsAreReported() async throws {
        let failed = try await ChildProcess("/bin/sh", ["-c", "echo out; echo err >&2; exit 7"]).ended()
        #expect(failed.status == 7 && !failed.succeeded && failed.output == "out\nerr\n")
        #expect(failed.describe(timeout: nil) == "exit status 7")
        let quiet = try ChildProcess.run("/bin/sh", ["-c", "echo out; echo err >&2"], output: .captureStandardOutput)
        #expect(quiet.output == "out\n")
        let killed = try ChildProcess.run("/bin/sh", ["-c", "kill -9 $$"])
        #expect(killed.signal == SIGKILL && killed.describe(timeout: nil) == "signal 9")
        let inFolder = try ChildProcess.run("pwd", [], directory: "/usr/share", timeout: .seconds(10))
        #expect(inFolder.output == "/usr/share\n", "a bare name is looked up on PATH; the folder is the child's")
        #expect(throws: ChildProcessError.self) { try ChildProcess("/nonexistent/tool") }
    }

    @Test func aChildInheritsNoDescriptorOfItsParentBeyondTheStandardThree() throws {
        // A descriptor without close-on-exec, as a library might leave one.
        let leaked = open("/dev/null", O_RDONLY)
        defer { close(leaked) }
        #expect(fcntl(leaked, F_GETFD) & FD_CLOEXEC == 0)
        let outcome = try ChildProcess.run("/bin/ls", ["/proc/self/fd"], timeout: .seconds(10))
        let open = outcome.output.split(separator: "\n").compactMap { Int($0) }.sorted()
        // 0, 1 and 2, and the descriptor ls opened to read the folder.
        #expect(open.count == 4 && open.prefix(3) == [0, 1, 2] && !open.contains(Int(leaked)), "\(open)")
    }

    @Test func noDescriptorSlipsIntoAChildWhileAnotherThreadOpensThem() throws {
        // Other tests, a database or a server open descriptors on other threads while a child starts.
        let opening = OpeningFlag()
        let stopped = DispatchSemaphore(value: 0)
        let opener = Thread {
            while opening.value.load(ordering: .relaxed) {
                close(open("/dev/null", O_RDONLY))
            }
            stopped.signal()
        }
        opener.start()
        defer {
            opening.value.store(false, ordering: .relaxed)
            stopped.wait()
        }
        for _ in 0..<40 {
            let outcome = try ChildProcess.run("/bin/ls", ["/proc/self/fd"], timeout: .seconds(10))
            let open = outcome.output.split(separator: "\n").compactMap { Int($0) }.sorted()
            #expect(open == [0, 1, 2, 3], "\(open)")
        }
    }

    @Test func aLongRunningChildCanBeWatchedAndStopped() throws {
        let child = try ChildProcess("/bin/sleep", ["60"], output: .discard)
        #expect(child.isRunning)
        child.signal(SIGTERM)
        let outcome = child.wait(timeout: .seconds(10))
        #expect(outcome.signal == SIGTERM && !outcome.timedOut)
        #expect(!child.isRunning)
    }

    private static func onThreadBlocking<Value: Sendable>(
        _ signal: Int32, _ body: @escaping @Sendable () throws -> Value
    ) throws -> Value {
        let box = ResultBox<Value>()
        let thread = Thread {
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, signal)
            pthread_sigmask(SIG_BLOCK, &blocked, nil)
            box.set(Result { try body() })
            box.done.signal()
        }
        thread.start()
        box.done.wait()
        return try box.get()
    }
}

private final class ResultBox<Value: Sendable>: @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    private var result: Result<Value, any Error>?
    func set(_ result: Result<Value, any Error>) { self.result = result }
    func get() throws -> Value {
        guard let result else { throw ChildProcessError("the thread gave nothing") }
        return try result.get()
    }
}

private final class OpeningFlag: Sendable {
    let value = Atomic(true)
}
