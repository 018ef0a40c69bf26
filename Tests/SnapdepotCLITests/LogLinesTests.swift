import Foundation
import Logging
import Testing

@testable import SnapdepotCLI

/// The server's log lines: what swift-log's stream handler wrote, batched.
@Suite struct LogLinesTests {
    /// A pipe whose read end never blocks: what has been written so far, and no more.
    final class Pipe {
        let reader: CInt
        let writer: LogLineWriter
        private let writeEnd: CInt

        /// `delay`: how long the writer keeps a line; long enough by default that a test on a busy
        /// machine sees what is kept before the writer's timer writes it.
        init(delay: DispatchTimeInterval = .seconds(30)) throws {
            var ends: [CInt] = [0, 0]
            guard pipe(&ends) == 0 else { throw POSIXError(.EMFILE) }
            reader = ends[0]
            writeEnd = ends[1]
            _ = fcntl(reader, F_SETFL, fcntl(reader, F_GETFL) | O_NONBLOCK)
            writer = LogLineWriter(descriptor: writeEnd, delay: delay)
        }

        deinit {
            // What is pending goes now, not on the writer's timer after the descriptor is closed
            // and perhaps another test's.
            writer.flush()
            close(reader)
            close(writeEnd)
        }

        func written() -> String {
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = read(reader, &chunk, chunk.count)
                guard count > 0 else { break }
                bytes += chunk.prefix(count)
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        /// What arrives within `seconds`, polling.
        func written(within seconds: Double) -> String {
            let deadline = Date().addingTimeInterval(seconds)
            var text = written()
            while text.isEmpty, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.01)
                text = written()
            }
            return text
        }
    }

    /// Collects what `StreamLogHandler` writes.
    final class Collected: TextOutputStream, @unchecked Sendable {
        var text = ""
        func write(_ string: String) { text += string }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "disk full" }
    }

    @Test func aLineReadsAsSwiftLogsStreamHandlerWritesIt() throws {
        let pipe = try Pipe()
        let collected = Collected()
        var ours = Logger(label: "snapdepot") { StandardErrorLogHandler(label: $0, level: .trace, writer: pipe.writer) }
        var theirs = Logger(label: "snapdepot") { label in
            var handler = StreamLogHandler(label: label, stream: collected, metadataProvider: nil)
            handler.logLevel = .trace
            return handler
        }
        ours[metadataKey: "hb.request.id"] = "56b584fb"
        theirs[metadataKey: "hb.request.id"] = "56b584fb"
        ours[metadataKey: "zone"] = "a"
        theirs[metadataKey: "zone"] = "a"
        for logger in [ours, theirs] {
            logger.info("Request", metadata: ["hb.request.method": "GET", "hb.request.path": "/readyz"])
            logger.warning("replaced", metadata: ["zone": "b", "count": .stringConvertible(3)])
            logger.error("failed", error: Failure())
            logger.debug("plain")
        }
        pipe.writer.flush()
        // Each line starts with the local time, `2026-12-02T17:29:43+0000`; the seconds may differ.
        func withoutTime(_ text: String) -> [Substring] {
            text.split(separator: "\n").map { $0.drop { $0 != " " } }
        }
        let written = pipe.written()
        #expect(withoutTime(written) == withoutTime(collected.text))
        #expect(withoutTime(written).count == 4)
        #expect(
            withoutTime(written).first
                == " info snapdepot: hb.request.id=56b584fb hb.request.method=GET hb.request.path=/readyz zone=a [SnapdepotCLITests] Request"
        )
        let stamp = try #require(written.split(separator: " ").first)
        #expect(try Regex(#"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4}"#).wholeMatch(in: stamp) != nil)
    }

    @Test func requestLinesWaitForABatchAndAWarningTakesThemAlong() throws {
        let pipe = try Pipe()
        let logger = Logger(label: "snapdepot") {
            StandardErrorLogHandler(label: $0, level: .info, writer: pipe.writer)
        }
        logger.info("first")
        logger.info("second")
        #expect(pipe.written().isEmpty)
        logger.warning("trouble")
        let lines = pipe.written().split(separator: "\n")
        #expect(lines.map { $0.split(separator: " ").last ?? "" } == ["first", "second", "trouble"])
    }

    @Test func aLineLeftAloneIsWrittenWithinTheDelay() throws {
        let pipe = try Pipe(delay: .milliseconds(50))
        let logger = Logger(label: "snapdepot") {
            StandardErrorLogHandler(label: $0, level: .info, writer: pipe.writer)
        }
        logger.info("alone")
        #expect(pipe.written(within: 5).hasSuffix(" alone\n"))
        logger.info("again")
        #expect(pipe.written(within: 5).hasSuffix(" again\n"))
    }

    @Test func aFullBatchIsWrittenAtOnce() throws {
        let pipe = try Pipe()
        let logger = Logger(label: "snapdepot") {
            StandardErrorLogHandler(label: $0, level: .info, writer: pipe.writer)
        }
        let line = String(repeating: "x", count: 1000)
        for _ in 0..<LogLineWriter.batchBytes / 1000 {
            logger.info("\(line)")
        }
        // No wait: the batch filled, and it left with the line that filled it, whole lines only.
        let written = pipe.written()
        #expect(written.utf8.count >= LogLineWriter.batchBytes)
        #expect(written.hasSuffix("x\n"))
    }
}
