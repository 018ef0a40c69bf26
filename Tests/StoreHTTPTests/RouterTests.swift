import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StoreCore
import StoreProtocol
import StoreTestSupport
import Testing

@testable import StoreHTTP

/// The router in process (Hummingbird's testing client, no sockets): who the authenticators let
/// through, and the error format of each refusal.
@Suite struct RouterTests {
    func withRouter(_ body: @Sendable (any TestClientProtocol, StoreFixture) async throws -> Void) async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let app = Application(router: StoreServer(store: fixture.store, host: "127.0.0.1", port: 0).makeRouter())
        try await app.test(.router) { client in try await body(client, fixture) }
    }

    func errorList(_ buffer: ByteBuffer) throws -> ErrorList {
        try WireJSON.literalDecoder.decode(ErrorList.self, from: Data(buffer: buffer))
    }

    @Test func publisherRoutesNeedAValidTokenAndSayWhy() async throws {
        try await withRouter { client, _ in
            do {
                let response = try await client.execute(uri: "/admin/v1/whoami", method: .get)
                #expect(response.status == .unauthorized)
                #expect(try errorList(response.body).entries.first?.code == "unauthorized")
                #expect(response.headers[HTTPField.Name("Snap-Store-Version")!] != nil)
            }
            do {
                let response = try await client.execute(
                    uri: "/admin/v1/whoami", method: .get, headers: [.authorization: "Bearer not-a-token"]
                )
                #expect(response.status == .unauthorized)
                #expect(try errorList(response.body).entries.first?.message.contains("not valid") == true)
            }
            // Routes that need no token still answer with a bad one.
            do {
                let response = try await client.execute(
                    uri: "/admin/v1/trust", method: .get, headers: [.authorization: "Bearer not-a-token"]
                )
                #expect(response.status == .ok)
            }
        }
    }

    @Test func theAdminTokenIsThePrincipal() async throws {
        try await withRouter { client, fixture in
            let token = try await fixture.store.issueToken(for: .admin, description: "test")
            do {
                let response = try await client.execute(
                    uri: "/admin/v1/whoami", method: .get, headers: [.authorization: "Bearer \(token)"]
                )
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(#""role":"admin""#))
            }
        }
    }

    /// A misspelt key in an admin body is refused by name, not ignored: `"private"` once made a
    /// snap everyone could read.
    @Test func adminBodiesWithUnknownKeysAreRefusedByName() async throws {
        try await withRouter { client, fixture in
            let token = try await fixture.store.issueToken(for: .admin, description: "test")
            _ = try await fixture.publisher("acme", id: "acme-brand")
            let refused = try await client.execute(
                uri: "/admin/v1/snaps", method: .post, headers: [.authorization: "Bearer \(token)"],
                body: ByteBuffer(string: #"{"name": "hidden", "publisher": "acme-brand", "private": true}"#))
            #expect(refused.status == .badRequest)
            #expect(
                try errorList(refused.body).entries.first?.message == "the request body has an unknown key \"private\"")
            await #expect(throws: StoreError.self) { _ = try await fixture.store.snap(named: "hidden") }
            let nested = try await client.execute(
                uri: "/admin/v1/snaps/none/releases", method: .post, headers: [.authorization: "Bearer \(token)"],
                body: ByteBuffer(string: #"{"revision": 1, "channels": ["stable"], "halt-at": "5%", "progresive": 10}"#)
            )
            #expect(try errorList(nested.body).entries.first?.message.contains("\"progresive\"") == true)
            // A key given as null, and every key the type knows, pass.
            let accepted = try await client.execute(
                uri: "/admin/v1/snaps", method: .post, headers: [.authorization: "Bearer \(token)"],
                body: ByteBuffer(
                    string: #"{"name": "shown", "publisher": "acme-brand", "is-private": false, "store": null}"#))
            #expect(accepted.status == .created, "\(String(buffer: accepted.body))")
        }
    }

    /// snapcraft's file upload carries no credentials, so the area it lands in is bounded: a count,
    /// and a byte quota checked against the Content-Length before the body is read.
    @Test func theAnonymousUploadAreaIsBounded() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let limits = UploadAreaLimits(count: 3, bytes: 64 << 10, lifetime: 3600)
        let app = Application(
            router: StoreServer(store: fixture.store, host: "127.0.0.1", port: 0, uploadArea: limits).makeRouter())
        let waiting = fixture.directory.blobsPath + "/tmp"
        try await app.test(.router) { (client) async throws in
            func upload(_ size: Int) async throws -> (HTTPResponse.Status, String) {
                let body =
                    "--b\r\nContent-Disposition: form-data; name=\"binary\"; filename=\"x.snap\"\r\n\r\n"
                    + String(repeating: "x", count: size) + "\r\n--b--\r\n"
                let headers: HTTPFields = [.contentType: "multipart/form-data; boundary=b"]
                let response = try await client.execute(
                    uri: "/unscanned-upload/", method: .post, headers: headers, body: ByteBuffer(string: body))
                let code = (try? errorList(response.body).entries.first?.code) ?? nil
                return (response.status, code ?? "")
            }
            #expect(try await upload(1000).0 == .ok)
            #expect(try await upload(1000).0 == .ok)
            // Over the byte quota: refused before the body is stored.
            #expect(try await upload(100 << 10) == (HTTPResponse.Status(code: 507), "upload-area-full"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: waiting).count == 2)
            #expect(try await upload(1000).0 == .ok)
            // Over the count.
            #expect(try await upload(10) == (HTTPResponse.Status(code: 507), "upload-area-full"))
            #expect(try FileManager.default.contentsOfDirectory(atPath: waiting).count == 3)
        }
    }

    /// An upload never notified is dropped with its file once its lifetime has passed.
    @Test func unclaimedUploadsAreDroppedWithTheirFiles() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let area = PendingUploads(limits: UploadAreaLimits(lifetime: 0.2), blobs: fixture.store.blobs)
        let writer = try fixture.store.blobs.makeWriter(limit: 1 << 20)
        try Array("unclaimed".utf8).withUnsafeBytes { try writer.write($0) }
        let blob = try writer.finish()
        _ = try await area.add(blob)
        #expect(FileManager.default.fileExists(atPath: blob.temporaryPath))
        try await Task.sleep(for: .milliseconds(400))
        try await area.admit(expected: 0)
        #expect(!FileManager.default.fileExists(atPath: blob.temporaryPath))
    }

    @Test func deviceRoutesRefuseUnknownSessionsAsSnapdExpects() async throws {
        try await withRouter { client, _ in
            let body = ByteBuffer(string: #"{"context": [], "actions": []}"#)
            do {
                let response = try await client.execute(
                    uri: "/v2/snaps/refresh", method: .post,
                    headers: [HTTPField.Name("Snap-Device-Authorization")!: #"Macaroon root="stale""#], body: body
                )
                #expect(response.status == .unauthorized)
                #expect(try errorList(response.body).entries.first?.code == "device-authorization-needs-refresh")
                #expect(response.headers[.wwwAuthenticate] == "Macaroon refresh_device_session=1")
            }
            do {
                let response = try await client.execute(uri: "/v2/snaps/refresh", method: .post, body: body)
                #expect(response.status == .ok)
                let answer = try WireJSON.literalDecoder.decode(
                    SnapActionResponse.self, from: Data(buffer: response.body))
                #expect(answer.results.isEmpty)
            }
        }
    }

    /// Downloads come from what is a CDN in the real store: a stale session does not stop them.
    @Test func downloadsIgnoreAStaleSession() async throws {
        try await withRouter { client, _ in
            do {
                let response = try await client.execute(
                    uri: "/api/v1/snaps/download/nosuchsnap_1.snap", method: .get,
                    headers: [HTTPField.Name("Snap-Device-Authorization")!: #"Macaroon root="stale""#])
                #expect(response.status == .notFound, "anonymous, and there is no such file")
            }
        }
    }

    /// snapd's rule decides `"0*"`: the action is refused whole, with the key that was wrong.
    @Test func anEpochSnapdRefusesIsAClearBadRequest() async throws {
        try await withRouter { client, _ in
            let body = ByteBuffer(
                string: #"""
                    {"context": [{"snap-id": "x", "instance-key": "x", "revision": 1, "tracking-channel": "stable",
                      "epoch": "0*"}], "actions": []}
                    """#)
            do {
                let response = try await client.execute(uri: "/v2/snaps/refresh", method: .post, body: body)
                #expect(response.status == .badRequest)
                let entry = try #require(try errorList(response.body).entries.first)
                #expect(entry.code == "invalid-request" && entry.message.contains("0* is an invalid epoch"))
            }
        }
    }
}
