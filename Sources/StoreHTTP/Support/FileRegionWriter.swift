import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import Synchronization

/// Downloads leave the copying to the kernel (sendfile), as nginx does.
///
/// Hummingbird's response writer takes byte buffers only, so a download's body is one small
/// *request* for a file region: a buffer that starts with a secret made at start-up and names the
/// file and range. This handler, which `StoreServer.run` puts between Hummingbird and NIO's HTTP/1
/// encoder, turns that buffer into a `FileRegion` written beneath the HTTP-types codec, where NIO's
/// encoder accepts file regions. No one outside the process knows the secret, so no snap's bytes
/// or client input can name a file.
///
/// The response's end is written only once the kernel has sent the region: Hummingbird's idle
/// timer and graceful shutdown count a response as finished at its end, and a slow client's
/// download must not be taken for an idle connection and cut.
final class FileRegionWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private static let secret: [UInt8] = (0..<32).map { _ in UInt8.random(in: 0...255) }
    /// Secret, the request's number, the offset and length (8 bytes each, big-endian), the path's UTF-8.
    private static let fixedLength = 32 + 24
    private static let nextNumber = Atomic<UInt64>(0)
    /// Requests whose region is being sent.
    private static let waiting = Mutex<[UInt64: RegionSent]>([:])

    /// Sends `range` of the file at `path` as the body, then ends the response. `channel` is the
    /// connection: if it closes before this handler saw the request (the writer drops what it still
    /// holds), nothing else would end the wait.
    static func send(
        path: String, range: ClosedRange<Int>, on channel: any Channel, through writer: inout any ResponseBodyWriter
    ) async throws {
        let number = nextNumber.add(1, ordering: .relaxed).newValue
        var buffer = ByteBuffer()
        buffer.writeBytes(secret)
        buffer.writeInteger(number)
        buffer.writeInteger(UInt64(range.lowerBound))
        buffer.writeInteger(UInt64(range.count))
        buffer.writeString(path)
        let sent = RegionSent()
        waiting.withLock { $0[number] = sent }
        channel.closeFuture.whenComplete { _ in finish(number, .failure(ChannelError.ioOnClosedChannel)) }
        do {
            try await writer.write(buffer)
        } catch {
            waiting.withLock { _ = $0.removeValue(forKey: number) }
            throw error
        }
        try await sent.wait()
        try await writer.finish(nil)
    }

    private static func finish(_ number: UInt64, _ result: Result<Void, any Error>) {
        waiting.withLock { $0.removeValue(forKey: number) }?.complete(result)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .body(var buffer) = unwrapOutboundIn(data), buffer.readableBytes > Self.fixedLength,
            buffer.readableBytesView.prefix(32).elementsEqual(Self.secret)
        else { return context.write(data, promise: promise) }
        buffer.moveReaderIndex(forwardBy: 32)
        guard let number = buffer.readInteger(as: UInt64.self), let offset = buffer.readInteger(as: UInt64.self),
            let length = buffer.readInteger(as: UInt64.self), let path = buffer.readString(length: buffer.readableBytes)
        else { return context.write(data, promise: promise) }
        guard let codec = try? context.pipeline.syncOperations.context(handlerType: HTTP1ToHTTPServerCodec.self) else {
            Self.finish(number, .failure(ChannelError.inappropriateOperationForState))
            promise?.fail(ChannelError.inappropriateOperationForState)
            return context.close(promise: nil)
        }
        let handle: NIOFileHandle
        do {
            // The blob was found a moment ago by the route; an open of a local file does not block for long.
            handle = try NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: Self.open(path))
        } catch {
            // The head is sent with its length: with no bytes to follow, the client must see a cut.
            Self.finish(number, .failure(error))
            promise?.fail(error)
            return context.close(promise: nil)
        }
        let region = FileRegion(fileHandle: handle, readerIndex: Int(offset), endIndex: Int(offset + length))
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { result in
            try? handle.close()
            Self.finish(number, result)
        }
        if let promise { written.futureResult.cascade(to: promise) }
        codec.write(NIOAny(HTTPServerResponsePart.body(.fileRegion(region))), promise: written)
    }

    private static func open(_ path: String) throws -> CInt {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "open \(path)") }
        return descriptor
    }
}

/// The outcome of one region's write, which may come before or after the route waits for it.
private final class RegionSent: Sendable {
    private enum State {
        case pending
        case waiting(CheckedContinuation<Void, any Error>)
        case done(Result<Void, any Error>)
    }
    private let state = Mutex<State>(.pending)

    func complete(_ result: Result<Void, any Error>) {
        let waiter: CheckedContinuation<Void, any Error>? = state.withLock { state in
            guard case .waiting(let continuation) = state else {
                state = .done(result)
                return nil
            }
            state = .done(result)
            return continuation
        }
        waiter?.resume(with: result)
    }

    func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let finished: Result<Void, any Error>? = state.withLock { state in
                if case .done(let result) = state { return result }
                state = .waiting(continuation)
                return nil
            }
            if let finished { continuation.resume(with: finished) }
        }
    }
}
