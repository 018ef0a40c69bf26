import Foundation
import Hummingbird
import Logging
import NIOCore
import StoreCore

/// How an injected fault (`snapdepot faults`) spoils an answer of the device API; every firing is
/// logged with the fault's id.
extension Fault {
    /// What happens before the answer is made: an error status in the `error-list` format, or a wait.
    func spoilBefore(_ request: Request, context: StoreRequestContext) async throws {
        context.logger.notice(
            "injected fault fired",
            metadata: [
                "fault": "\(id)", "kind": "\(kind.rawValue)", "path": "\(request.uri.path)",
                "fired": "\(fired + 1)",
            ])
        switch kind {
        case .status:
            throw APIError(
                HTTPResponse.Status(code: status ?? 503), code: "injected-fault",
                "injected fault \(id): HTTP \(status ?? 503) for a rehearsal")
        case .delay:
            try await Task.sleep(for: .milliseconds(delayMilliseconds ?? 0))
        case .cut, .throttle, .corrupt, .failCheckHealth:
            break
        }
    }

    /// A download's body as the fault leaves it: cut after `afterBytes`, sent at `bytesPerSecond`,
    /// or with the byte at `corruptOffset` (relative to the body) flipped.
    func spoil(_ body: ResponseBody, corruptOffset: Int) -> ResponseBody {
        let fault = self
        return ResponseBody { writer in
            try await body.write(SpoilingWriter(base: writer, fault: fault, corruptOffset: corruptOffset))
        }
    }
}

/// Writes a body through a fault: what a cut leaves, what a throttle delays, what corruption flips.
struct SpoilingWriter: ResponseBodyWriter {
    var base: any ResponseBodyWriter
    let fault: Fault
    let corruptOffset: Int
    var sent = 0

    mutating func write(_ buffer: ByteBuffer) async throws {
        let start = sent
        sent += buffer.readableBytes
        switch fault.kind {
        case .cut:
            let after = fault.afterBytes ?? 0
            guard start + buffer.readableBytes > after else { return try await base.write(buffer) }
            if start < after, let head = buffer.getSlice(at: buffer.readerIndex, length: after - start) {
                try await base.write(head)
            }
            // The connection closes once the first bytes are out, as a dropped link leaves it.
            throw CancellationError()
        case .throttle:
            try await Task.sleep(
                for: .seconds(Double(buffer.readableBytes) / Double(max(1, fault.bytesPerSecond ?? 1))))
            try await base.write(buffer)
        case .corrupt:
            guard (start..<start + buffer.readableBytes).contains(corruptOffset) else {
                return try await base.write(buffer)
            }
            var spoiled = buffer
            let index = buffer.readerIndex + corruptOffset - start
            spoiled.setInteger((buffer.getInteger(at: index, as: UInt8.self) ?? 0) ^ 0xff, at: index)
            try await base.write(spoiled)
        case .status, .delay, .failCheckHealth:
            try await base.write(buffer)
        }
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {
        try await base.finish(trailingHeaders)
    }
}
