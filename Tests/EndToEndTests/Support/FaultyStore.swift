import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// A loopback proxy in front of a real `snapdepot serve` that answers chosen requests as a broken
/// network or store would (an error status, a body that is not JSON, a body cut short, no answer
/// at all) and records every request that passes, headers and body, for comparison. It lives as
/// long as the test process: cancelling a Hummingbird server while a client still holds a
/// connection traps in NIO (`Deinited NIOAsyncWriter without calling finish()`), so scripts/test
/// runs the suites that use one apart from the rest.
final class FaultyStore: Sendable {
    enum Fault: Sendable {
        case status(Int)
        case body(String)
        /// Sends this many bytes of the real answer, then closes the connection.
        case truncate(Int)
        /// Answers nothing for this long.
        case hang(seconds: Double)
        /// Answers these bytes instead of the store's (a forged assertion).
        case serve(Data, contentType: String)
    }

    struct Recorded: Sendable {
        let method: String
        let path: String
        /// By lower-case name.
        let headers: [String: String]
        let body: Data
    }

    private struct Rule {
        let pathPrefix: String
        let fault: Fault
        var times: Int
    }

    private final class Faults: Sendable {
        let rules = Mutex<[Rule]>([])
        let log = Mutex<[Recorded]>([])
    }

    private let faults = Faults()
    let url: String

    init(upstream: String) async throws {
        let faults = self.faults
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await Self.answer(request, upstream: upstream, faults: faults)
        }
        var quiet = Logger(label: "faulty-store")
        quiet.logLevel = .critical
        let (ports, bound) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in bound.yield(channel.localAddress?.port ?? 0) }, logger: quiet)
        Task { try await app.run() }
        var iterator = ports.makeAsyncIterator()
        url = "http://127.0.0.1:\(await iterator.next() ?? 0)"
    }

    /// The next `times` requests whose path starts with `pathPrefix` get `fault`.
    func inject(_ fault: Fault, on pathPrefix: String, times: Int = 1) {
        faults.rules.withLock { $0.append(Rule(pathPrefix: pathPrefix, fault: fault, times: times)) }
    }

    /// Drops the faults not used up yet.
    func clearFaults() {
        faults.rules.withLock { $0.removeAll() }
    }

    func recorded(_ pathPrefix: String) -> [Recorded] {
        faults.log.withLock { $0.filter { $0.path.hasPrefix(pathPrefix) } }
    }

    private static func answer(_ request: Request, upstream: String, faults: Faults) async throws -> Response {
        let body = Data((try await request.body.collect(upTo: 64 << 20)).readableBytesView)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName.lowercased()] = field.value }
        let path = request.uri.path
        faults.log.withLock {
            $0.append(Recorded(method: request.method.rawValue, path: path, headers: headers, body: body))
        }
        let fault = faults.rules.withLock { rules -> Fault? in
            guard let index = rules.firstIndex(where: { path.hasPrefix($0.pathPrefix) && $0.times > 0 }) else {
                return nil
            }
            rules[index].times -= 1
            return rules[index].fault
        }
        switch fault {
        case .status(let code)?:
            return Response(
                status: .init(code: code), headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"error-list":[{"code":"broken","message":"injected"}]}"#))
            )
        case .body(let text)?:
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: text)))
        case .serve(let data, let contentType)?:
            var headers = HTTPFields()
            if let name = HTTPField.Name("Content-Type") { headers[name] = contentType }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
        case .hang(let seconds)?:
            try await Task.sleep(for: .seconds(seconds))
            return Response(status: .gatewayTimeout)
        case .truncate, nil:
            break
        }
        var forwarded = HTTPClientRequest(url: upstream + request.uri.description)
        forwarded.method = HTTPMethod(rawValue: request.method.rawValue)
        for (name, value) in headers { forwarded.headers.add(name: name, value: value) }
        // The store writes download URLs with the address it was asked at: the proxy's.
        if let authority = request.head.authority { forwarded.headers.replaceOrAdd(name: "Host", value: authority) }
        if !body.isEmpty { forwarded.body = .bytes(ByteBuffer(data: body)) }
        let response = try await HTTPClient.shared.execute(forwarded, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 256 << 20)
        var fields = HTTPFields()
        for header in response.headers
        where !["content-length", "transfer-encoding", "connection"].contains(header.name.lowercased()) {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        guard case .truncate(let count)? = fault else {
            return Response(
                status: .init(code: Int(response.status.code)), headers: fields, body: .init(byteBuffer: bytes))
        }
        fields[.contentLength] = String(bytes.readableBytes)
        let cut = bytes.getSlice(at: bytes.readerIndex, length: min(count, bytes.readableBytes)) ?? bytes
        return Response(
            status: .init(code: Int(response.status.code)), headers: fields,
            body: ResponseBody { writer in
                try await writer.write(cut)
                throw CancellationError()
            })
    }
}
