import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StoreCore
import StoreTestSupport
import TestSupport
import Testing

/// Downloads at the URLs snap actions hand out, with the edge cases of HTTP ranges.
@Suite struct DownloadTests {
    @Test func rangesHeadsAndETags() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let server = try ServerProcess(data: fixture.folder.appendingPathComponent("served").path)
        defer { server.stop() }
        let (snapID, bytes) = try await Self.publish("hello-depot", payload: 300_000, on: server, fixture: fixture)
        let path = "/api/v1/snaps/download/\(snapID)_1.snap"

        func get(_ headers: [String: String], method: HTTPMethod = .GET) async throws -> (Int, [String: String], Data) {
            var request = HTTPClientRequestBuilder.make(server.url + path, method: method)
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            let response = try await HTTPClientRequestBuilder.execute(request)
            return response
        }
        let (status, headers, body) = try await get([:])
        #expect(status == 200)
        #expect(body == bytes)
        #expect(headers["accept-ranges"] == "bytes")
        let etag = try #require(headers["etag"])
        #expect(try await get(["If-None-Match": etag]).0 == 304)
        let head = try await get([:], method: .HEAD)
        #expect(head.0 == 200 && head.2.isEmpty && head.1["content-length"] == String(bytes.count))
        let middle = try await get(["Range": "bytes=10-19"])
        #expect(
            middle.0 == 206 && middle.2 == bytes[10...19] && middle.1["content-range"] == "bytes 10-19/\(bytes.count)")
        let spaced = try await get(["Range": "bytes= 10-19"])
        #expect(spaced.0 == 206 && spaced.2 == bytes[10...19], "HTTP's optional whitespace is allowed")
        let tail = try await get(["Range": "bytes=1000-"])
        #expect(tail.0 == 206 && tail.2 == bytes[1000...])
        let suffix = try await get(["Range": "bytes=-100"])
        #expect(suffix.0 == 206 && suffix.2 == bytes.suffix(100))
        let beyond = try await get(["Range": "bytes=\(bytes.count)-"])
        #expect(beyond.0 == 416 && beyond.1["content-range"] == "bytes */\(bytes.count)")
        #expect(try await get(["Range": "bytes=-0"]).0 == 416)
        #expect(try await get(["Range": "bytes=50-10"]).0 == 416)
        #expect(try await get(["Range": "lines=1-2"]).0 == 200)
        // Several ranges get the whole file, which HTTP allows.
        let several = try await get(["Range": "bytes=0-1,5-9"])
        #expect(several.0 == 200 && several.2 == bytes && several.1["content-range"] == nil)
        #expect(try await server.request(.GET, "/api/v1/snaps/download/\(snapID)_9.snap").status == 404)
        #expect(try await server.request(.GET, "/api/v1/snaps/download/nonsense").status == 404)
    }
}

extension DownloadTests {
    /// A released snap of `payload` bytes of data, uploaded by the admin: its snap-id and file.
    static func publish(_ name: String, payload: Int, on server: ServerProcess, fixture: StoreFixture) async throws
        -> (snapID: String, bytes: Data)
    {
        let admin = server.adminToken
        _ = try await server.json(.POST, "/admin/v1/accounts", token: admin, ["username": "acme", "id": "acme-brand"])
        _ = try await server.json(.POST, "/admin/v1/snaps", token: admin, ["name": name, "publisher": "acme-brand"])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: try fixture.packSnap(name, payload: payload)))
        let uploaded = try await server.request(
            .POST, "/admin/v1/snaps/\(name)/revisions?release=stable", token: admin, body: bytes)
        return (try #require(try uploaded.json()["snap-id"] as? String), bytes)
    }

    /// Downloads go by sendfile: a client reading slower than the idle timeout still gets every byte,
    /// also when it asked for the connection to close after the response (the server's close must
    /// wait for the kernel to send the file, not for the route to end).
    @Test(arguments: [false, true]) func aSlowClientGetsTheWholeSnapPastTheIdleTimeout(closing: Bool) async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let server = try ServerProcess(
            data: fixture.folder.appendingPathComponent("served").path, extraArguments: ["--idle-timeout", "1"])
        defer { server.stop() }
        let (snapID, bytes) = try await Self.publish("big-depot", payload: 8_000_000, on: server, fixture: fixture)
        let began = ContinuousClock.now
        var request = HTTPClientRequest(url: server.url + "/api/v1/snaps/download/\(snapID)_1.snap")
        if closing { request.headers.add(name: "Connection", value: "close") }
        let received = try await Self.readSlowly(request, pause: .milliseconds(40))
        #expect(ContinuousClock.now - began > .seconds(2), "the client must read slower than the idle timeout")
        #expect(received.count == bytes.count && received == bytes)
    }
}

extension DownloadTests {
    /// A store stopped (SIGTERM, as systemd or `docker stop` stops it) while a device downloads
    /// sends the rest of the snap before it exits: the connection counts as busy until the kernel
    /// has sent the file, not until the route has handed it over.
    @Test func aDownloadUnderWayIsFinishedWhenTheStoreStops() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let server = try ServerProcess(data: fixture.folder.appendingPathComponent("served").path)
        defer { server.stop() }
        let (snapID, bytes) = try await Self.publish("stopping-depot", payload: 8_000_000, on: server, fixture: fixture)
        let request = HTTPClientRequest(url: server.url + "/api/v1/snaps/download/\(snapID)_1.snap")
        let received = try await Self.readSlowly(request, pause: .milliseconds(20)) {
            kill(server.process.processIdentifier, SIGTERM)
        }
        #expect(received.count == bytes.count && received == bytes)
        server.process.waitUntilExit()
        #expect(server.process.terminationReason == .exit, "the store stops by itself once the download is sent")
    }
}

extension DownloadTests {
    /// The body of `request`, read with `pause` after each chunk; `firstChunk` runs when the first arrives.
    static func readSlowly(
        _ request: HTTPClientRequest, pause: Duration, firstChunk: @Sendable () -> Void = {}
    ) async throws -> Data {
        // A client of its own with no idle-read timeout: the shared one gives up after 90 s without
        // a read, which a test task kept off the cooperative threads by the suite's other tests
        // could reach while the server sends correctly. A server that stalls still fails the deadline.
        let client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: .init(timeout: .init(connect: .seconds(10), read: nil)))
        var received = Data()
        do {
            let response = try await client.execute(request, timeout: .seconds(300))
            for try await chunk in response.body {
                if received.isEmpty { firstChunk() }
                received.append(contentsOf: chunk.readableBytesView)
                try await Task.sleep(for: pause)
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try await client.shutdown()
        return received
    }
}

enum HTTPClientRequestBuilder {
    static func make(_ url: String, method: HTTPMethod) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url)
        request.method = method
        return request
    }

    static func execute(_ request: HTTPClientRequest) async throws -> (Int, [String: String], Data) {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        let body = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), headers, Data(body.readableBytesView))
    }
}
