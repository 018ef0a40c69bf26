import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1

/// Downloads leave the copying to the kernel (sendfile), as nginx does.
///
/// Hummingbird's response writer takes byte buffers only, so a download's body is one small
/// *request* for a file region: a buffer that starts with a secret made at start-up and names the
/// file and range. This handler turns that buffer into a `FileRegion` written beneath the
/// HTTP-types codec, where NIO's encoder accepts file regions. No one outside the process knows
/// the secret, so no snap's bytes or client input can name a file.
///
/// The route does not wait for the kernel: its response ends after the request, and this
/// handler holds what follows the region (the response's end, the close after a `Connection:
/// close` request) until the region is sent. It sits above Hummingbird's connection-state handler
/// (`FileRegionChannel` puts it there), which therefore sees the response end only once the last
/// byte went out: its idle timer and graceful shutdown must not take a slow client's download for
/// an idle connection and cut it. Ending the response on the event loop also spares each download
/// two hand-offs between NIO's loop and Swift's pool (docs/performance.md).
final class FileRegionWriter: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private static let secret: [UInt8] = (0..<32).map { _ in UInt8.random(in: 0...255) }
    /// Secret, the offset and length (8 bytes each, big-endian), the path's UTF-8.
    private static let fixedLength = 32 + 16

    /// The region being sent, which later writes and an output close wait behind.
    private var sending: EventLoopFuture<Void>?

    /// A body that asks for `range` of the file at `path`. One buffer, so Hummingbird writes the
    /// head, it and the response's end in one hand-off to the event loop.
    static func body(path: String, range: ClosedRange<Int>) -> ResponseBody {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(fixedLength + path.utf8.count)
        buffer.writeBytes(secret)
        buffer.writeInteger(UInt64(range.lowerBound))
        buffer.writeInteger(UInt64(range.count))
        buffer.writeString(path)
        return ResponseBody(byteBuffer: buffer)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .body(let buffer) = unwrapOutboundIn(data), let region = Self.regionRequest(in: buffer) {
            return send(region.path, offset: region.offset, length: region.length, context: context, promise: promise)
        }
        afterRegion(context) { held in
            context.write(data, promise: promise)
            // The flush that came with it went by while it was held.
            if held { context.flush() }
        }
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        // Hummingbird closes output after a `Connection: close` request: only after the region.
        guard mode == .output else { return context.close(mode: mode, promise: promise) }
        afterRegion(context) { _ in context.close(mode: mode, promise: promise) }
    }

    /// Runs `operation` now, or once the region in flight is sent (`held`).
    private func afterRegion(_ context: ChannelHandlerContext, _ operation: @escaping (_ held: Bool) -> Void) {
        guard let sending else { return operation(false) }
        sending.assumeIsolated().whenComplete { _ in operation(true) }
    }

    private func send(
        _ path: String, offset: Int, length: Int, context: ChannelHandlerContext, promise: EventLoopPromise<Void>?
    ) {
        let handle: NIOFileHandle
        do {
            guard let codec = try? context.pipeline.syncOperations.context(handlerType: HTTP1ToHTTPServerCodec.self)
            else { throw ChannelError.inappropriateOperationForState }
            // The blob was found a moment ago by the route; an open of a local file does not block for long.
            handle = try NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: Self.open(path))
            let written = context.eventLoop.makePromise(of: Void.self)
            let sent = written.futureResult
            sending = sent
            // Corked until the file is sent, as nginx's `tcp_nopush` does: the head leaves in one
            // segment with the file's first bytes, not alone (5 MiB at one connection: 66 % of
            // nginx's rate uncorked, 99 % corked; docs/performance.md). Uncorked whatever the
            // outcome, or the connection's next answer would wait on the kernel's cork timer.
            Self.cork(context.channel, true)
            sent.assumeIsolated().whenComplete { [weak self] result in
                Self.cork(context.channel, false)
                try? handle.close()
                if let self, self.sending === sent { self.sending = nil }
                // The head went out with its length: with the bytes missing, the client must see a cut.
                if case .failure = result { context.close(promise: nil) }
            }
            sent.cascade(to: promise)
            let region = FileRegion(fileHandle: handle, readerIndex: offset, endIndex: offset + length)
            codec.write(NIOAny(HTTPServerResponsePart.body(.fileRegion(region))), promise: written)
        } catch {
            promise?.fail(error)
            context.close(promise: nil)
        }
    }

    private static func cork(_ channel: any Channel, _ on: Bool) {
        let option = ChannelOptions.Types.SocketOption(level: .tcp, name: .init(rawValue: TCP_CORK))
        // A connection already closed has nothing to cork.
        try? channel.syncOptions?.setOption(option, value: on ? 1 : 0)
    }

    private static func regionRequest(in buffer: ByteBuffer) -> (path: String, offset: Int, length: Int)? {
        guard buffer.readableBytes > fixedLength, buffer.readableBytesView.prefix(32).elementsEqual(secret) else {
            return nil
        }
        var buffer = buffer
        buffer.moveReaderIndex(forwardBy: 32)
        guard let offset = buffer.readInteger(as: UInt64.self), let length = buffer.readInteger(as: UInt64.self),
            let path = buffer.readString(length: buffer.readableBytes)
        else { return nil }
        return (path, Int(offset), Int(length))
    }

    private static func open(_ path: String) throws -> CInt {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "open \(path)") }
        return descriptor
    }
}

/// Hummingbird's HTTP/1 channel with `FileRegionWriter` above its connection-state handler, where
/// the handlers its configuration adds cannot go (they go below it).
struct FileRegionChannel: HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>
    let base: HTTP1Channel

    var responder: Responder { base.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let state = try pipeline.handler(type: HTTPConnectionStateHandler.self)
            try pipeline.addHandler(FileRegionWriter(), position: .after(state))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
