import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StoreCore
import StoreHTTP
import StoreProtocol
import StoreTestSupport
import Testing

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
