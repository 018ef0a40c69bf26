import Assertions
import AsyncHTTPClient
import DeviceAgent
import Foundation
import NIOCore
import NIOHTTP1
import StoreCore
import StoreProtocol

/// The CLI's side of the admin API: JSON in and out, errors from the store's `error-list`
/// shown as one line.
struct StoreClient {
    let credentials: Credentials

    /// The one HTTP client, shared with the device side (`StoreConnection.http`).
    static var http: HTTPClient { StoreConnection.http }

    init(_ credentials: Credentials) {
        self.credentials = credentials
    }

    static func fromEnvironment() throws -> StoreClient {
        StoreClient(try Credentials.load())
    }

    /// The roots devices and images trust: the file given, else the store's own (`/admin/v1/trust`,
    /// open to anyone, as a device that has no token must reach it).
    func trustedRoots(file: String?) async throws -> [Assertion] {
        if let file { return try AssertionStream.decode(Array(try InputFile.read(file))) }
        struct TrustAnswer: Decodable { let trusted: String }
        return try AssertionStream.decode(try await get("/admin/v1/trust", as: TrustAnswer.self).trusted)
    }

    func url(_ path: String, query: [String: String] = [:]) -> String {
        var base = credentials.url
        while base.hasSuffix("/") { base.removeLast() }
        var components = URLComponents(string: base + path)
        if !query.isEmpty {
            components?.queryItems = query.sorted { $0.key < $1.key }.map {
                URLQueryItem(name: $0.key, value: $0.value)
            }
        }
        return components?.string ?? base + path
    }

    func get<Response: Decodable>(_ path: String, query: [String: String] = [:], as type: Response.Type) async throws
        -> Response
    {
        try await send(.GET, path, query: query, body: nil, as: type)
    }

    func post<Body: Encodable, Response: Decodable>(_ path: String, _ body: Body, as type: Response.Type) async throws
        -> Response
    {
        try await send(.POST, path, body: .bytes(ByteBuffer(bytes: try WireJSON.encoder.encode(body))), as: type)
    }

    func put<Body: Encodable, Response: Decodable>(_ path: String, _ body: Body, as type: Response.Type) async throws
        -> Response
    {
        try await send(.PUT, path, body: .bytes(ByteBuffer(bytes: try WireJSON.encoder.encode(body))), as: type)
    }

    func postRaw<Response: Decodable>(_ path: String, bytes: [UInt8], as type: Response.Type) async throws -> Response {
        try await send(.POST, path, body: .bytes(ByteBuffer(bytes: bytes)), as: type)
    }

    /// A call whose body and answer are not the admin API's JSON (assertions, snapcraft's objects).
    func raw(_ method: HTTPMethod, _ path: String, body: [UInt8]?, contentType: String, query: [String: String] = [:])
        async throws -> Data
    {
        var request = HTTPClientRequest(url: url(path, query: query))
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(credentials.token)")
        request.headers.add(name: "Content-Type", value: contentType)
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await Self.http.execute(request, timeout: .minutes(5))
        let data = Data((try await response.body.collect(upTo: 64 << 20)).readableBytesView)
        guard (200..<300).contains(response.status.code) else {
            if let list = try? WireJSON.literalDecoder.decode(ErrorList.self, from: data),
                let first = list.entries.first
            {
                throw CLIError("\(first.message) (\(response.status.code) \(first.code))")
            }
            throw CLIError("the store answered \(response.status.code)")
        }
        return data
    }

    /// The device API of the same store, as a device reaches it (no token: devices have none).
    var device: StoreConnection {
        StoreConnection(baseURL: credentials.url)
    }

    /// Streams a file as the request body, reporting bytes sent.
    func upload<Response: Decodable>(
        _ path: String, query: [String: String], file: String, progress: @escaping @Sendable (UInt64, UInt64) -> Void,
        as type: Response.Type
    ) async throws -> Response {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? UInt64) ?? nil else {
            throw CLIError("cannot read \(file)")
        }
        let chunks = FileChunks(path: file, size: size, progress: progress)
        return try await send(.POST, path, query: query, body: .stream(chunks, length: .known(Int64(size))), as: type)
    }

    private func send<Response: Decodable>(
        _ method: HTTPMethod, _ path: String, query: [String: String] = [:], body: HTTPClientRequest.Body?,
        as type: Response.Type
    ) async throws -> Response {
        var request = HTTPClientRequest(url: url(path, query: query))
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(credentials.token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        if let body { request.body = body }
        let response: HTTPClientResponse
        do {
            response = try await Self.http.execute(request, timeout: .hours(1))
        } catch {
            throw CLIError("cannot reach the store at \(credentials.url): \(error)")
        }
        let data = Data((try await response.body.collect(upTo: 256 << 20)).readableBytesView)
        guard (200..<300).contains(response.status.code) else {
            if let list = try? WireJSON.literalDecoder.decode(ErrorList.self, from: data),
                let first = list.entries.first
            {
                throw CLIError("\(first.message) (\(response.status.code) \(first.code))")
            }
            throw CLIError(
                "the store answered \(response.status.code): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return try WireJSON.decoder.decode(type, from: data)
    }
}

/// A file read in 1 MiB chunks as an async sequence of buffers, reporting progress as it goes.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    let path: String
    let size: UInt64
    let progress: @Sendable (UInt64, UInt64) -> Void

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?
        let size: UInt64
        let progress: @Sendable (UInt64, UInt64) -> Void
        var sent: UInt64 = 0

        mutating func next() async throws -> ByteBuffer? {
            guard let handle, let data = try handle.read(upToCount: 1 << 20), !data.isEmpty else {
                try? handle?.close()
                return nil
            }
            sent += UInt64(data.count)
            progress(sent, size)
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(handle: FileHandle(forReadingAtPath: path), size: size, progress: progress)
    }
}
