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
        let admin = server.adminToken
        _ = try await server.json(.POST, "/admin/v1/accounts", token: admin, ["username": "acme", "id": "acme-brand"])
        _ = try await server.json(
            .POST, "/admin/v1/snaps", token: admin, ["name": "hello-depot", "publisher": "acme-brand"])
        let bytes = try Data(contentsOf: URL(fileURLWithPath: try fixture.packSnap("hello-depot", payload: 300_000)))
        let uploaded = try await server.request(
            .POST, "/admin/v1/snaps/hello-depot/revisions?release=stable", token: admin, body: bytes)
        let snapID = try #require(try uploaded.json()["snap-id"] as? String)
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
        let tail = try await get(["Range": "bytes=1000-"])
        #expect(tail.0 == 206 && tail.2 == bytes[1000...])
        let suffix = try await get(["Range": "bytes=-100"])
        #expect(suffix.0 == 206 && suffix.2 == bytes.suffix(100))
        let beyond = try await get(["Range": "bytes=\(bytes.count)-"])
        #expect(beyond.0 == 416 && beyond.1["content-range"] == "bytes */\(bytes.count)")
        #expect(try await get(["Range": "bytes=-0"]).0 == 416)
        #expect(try await get(["Range": "bytes=50-10"]).0 == 416)
        #expect(try await get(["Range": "lines=1-2"]).0 == 200)
        #expect(try await server.request(.GET, "/api/v1/snaps/download/\(snapID)_9.snap").status == 404)
        #expect(try await server.request(.GET, "/api/v1/snaps/download/nonsense").status == 404)
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
