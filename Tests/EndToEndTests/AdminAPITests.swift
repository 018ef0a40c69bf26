import Assertions
import Foundation
import StoreCore
import StorePersistence
import StoreProtocol
import StoreTestSupport
import TestSupport
import Testing

/// A seeding script of the kind a CI pipeline runs against `snapdepot serve`, using only the admin
/// API over HTTP, then reading everything back.
@Suite(.serialized) struct AdminAPITests {
    @Test func aScriptSeedsTheStoreAndReadsItBack() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let server = try ServerProcess(data: fixture.folder.appendingPathComponent("served").path)
        defer { server.stop() }
        let admin = server.adminToken

        #expect(try await server.request(.GET, "/readyz").status == 200)
        let account = try await server.json(
            .POST, "/admin/v1/accounts", token: admin, ["username": "acme", "id": "acme-brand"])
        #expect(account.status == 201, "\(account.text)")
        let issued = try await server.json(
            .POST, "/admin/v1/accounts/acme-brand/tokens", token: admin, ["description": "ci"])
        let publisher = try #require(try issued.json()["token"] as? String)
        let registered = try await server.json(.POST, "/admin/v1/snaps", token: publisher, ["name": "hello-depot"])
        #expect(registered.status == 201, "\(registered.text)")
        #expect((try registered.json()["snap-id"] as? String)?.count == 32)

        let snap = try Data(contentsOf: URL(fileURLWithPath: try fixture.packSnap("hello-depot", version: "1.0")))
        let uploaded = try await server.request(
            .POST, "/admin/v1/snaps/hello-depot/revisions?release=edge,beta", token: publisher, body: snap)
        #expect(uploaded.status == 201, "\(uploaded.text)")
        #expect(try uploaded.json()["revision"] as? Int == 1)
        #expect(try uploaded.json()["size"] as? Int == snap.count)
        let second = try await server.request(
            .POST, "/admin/v1/snaps/hello-depot/revisions", token: publisher,
            body: try Data(contentsOf: URL(fileURLWithPath: try fixture.packSnap("hello-depot", version: "1.1"))))
        #expect(try second.json()["revision"] as? Int == 2)

        let released = try await server.json(
            .POST, "/admin/v1/snaps/hello-depot/releases", token: publisher,
            ["revision": 2, "channels": ["stable"], "progressive": 10])
        #expect(released.status == 200, "\(released.text)")
        let closed = try await server.json(
            .POST, "/admin/v1/snaps/hello-depot/close", token: publisher, ["channels": ["beta"]])
        #expect(closed.status == 200)
        let progressive = try await server.json(
            .POST, "/admin/v1/snaps/hello-depot/progressive", token: admin, ["channel": "stable", "percentage": 100])
        #expect(progressive.status == 200, "\(progressive.text)")

        let status = try WireJSON.decoder.decode(
            SnapStatus.self,
            from: try await server.request(.GET, "/admin/v1/snaps/hello-depot/status", token: publisher).body)
        let rows = Dictionary(uniqueKeysWithValues: status.rows.map { ($0.risk, $0) })
        #expect(rows["stable"]?.revision == 2)
        #expect(rows["stable"]?.progressiveRevision == nil)
        #expect(rows["candidate"]?.following == true)
        #expect(rows["beta"]?.following == true)
        #expect(rows["edge"]?.revision == 1)
        let revisions = try WireJSON.decoder.decode(
            [RevisionRecord].self,
            from: try await server.request(.GET, "/admin/v1/snaps/hello-depot/revisions", token: publisher).body)
        #expect(revisions.map(\.revision) == [1, 2])
        let history = try WireJSON.decoder.decode(
            [ReleaseEvent].self,
            from: try await server.request(.GET, "/admin/v1/snaps/hello-depot/history", token: admin).body)
        #expect(history.count == 5)
        let assertions = try await server.request(.POST, "/admin/v1/assertions", token: admin, body: Data())
        #expect(assertions.status == 200)

        // A brand store: the admin has the root authority sign its store assertion; the assertion
        // service serves it, and answers snapd's not-found for what it does not have.
        let brandStore = try await server.json(
            .POST, "/admin/v1/stores", token: admin,
            ["store": "acme-store", "operator-id": "acme-brand", "location": "lab"])
        #expect(brandStore.status == 201, "\(brandStore.text)")
        let served = try await server.request(.GET, "/v2/assertions/store/acme-store")
        #expect(served.status == 200)
        #expect(served.body == brandStore.body)
        let storeAssertion = try Assertion.decode(Array(served.body))
        let trusted = try AssertionStream.decode(
            Array(try Data(contentsOf: URL(fileURLWithPath: server.data + "/trusted.assert"))))
        var database = try TrustDatabase(trusted: trusted)
        #expect(
            database.addAll([
                try Assertion.decode(
                    Array(try await server.request(.GET, "/v2/assertions/account-key/\(storeAssertion.signKeyID)").body)
                ),
                try Assertion.decode(Array(try await server.request(.GET, "/v2/assertions/account/acme-brand").body)),
                storeAssertion,
            ]).isEmpty)
        let missing = try await server.request(.GET, "/v2/assertions/store/nope")
        #expect(missing.status == 404)
        #expect((try missing.json()["error-list"] as? [[String: Any]])?.first?["code"] as? String == "not-found")
        #expect(
            try await server.json(
                .POST, "/admin/v1/stores", token: publisher, ["store": "x", "operator-id": "acme-brand"]
            ).status == 403)
    }

    @Test func tokensGuardEveryWriteAndPublishersStayInTheirLane() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let server = try ServerProcess(
            data: fixture.folder.appendingPathComponent("served").path, extraArguments: ["--upload-limit", "65536"])
        defer { server.stop() }
        let admin = server.adminToken
        for username in ["acme", "mallory"] {
            _ = try await server.json(
                .POST, "/admin/v1/accounts", token: admin, ["username": username, "id": username])
        }
        let acme = try #require(
            try await server.json(.POST, "/admin/v1/accounts/acme/tokens", token: admin, [:]).json()["token"] as? String
        )
        let mallory = try #require(
            try await server.json(.POST, "/admin/v1/accounts/mallory/tokens", token: admin, [:]).json()["token"]
                as? String)
        _ = try await server.json(.POST, "/admin/v1/snaps", token: acme, ["name": "hello-depot"])

        let anonymous = try await server.json(.POST, "/admin/v1/snaps", token: nil, ["name": "other"])
        #expect(anonymous.status == 401)
        let list = try anonymous.json()["error-list"] as? [[String: Any]]
        #expect(list?.first?["code"] as? String == "unauthorized")
        #expect(try await server.json(.POST, "/admin/v1/snaps", token: "sdp_bogus", ["name": "other"]).status == 401)
        let stolen = try await server.request(
            .POST, "/admin/v1/snaps/hello-depot/revisions", token: mallory,
            body: try Data(contentsOf: URL(fileURLWithPath: try fixture.packSnap("hello-depot"))))
        #expect(stolen.status == 403, "\(stolen.text)")
        #expect(try await server.json(.POST, "/admin/v1/accounts", token: acme, ["username": "x1"]).status == 403)
        #expect(try await server.request(.GET, "/admin/v1/accounts", token: mallory).status == 403)
        let huge = try await server.request(
            .POST, "/admin/v1/snaps/hello-depot/revisions", token: acme,
            body: try Data(contentsOf: URL(fileURLWithPath: try fixture.packSnap("hello-depot", payload: 200_000))))
        #expect(huge.status == 413, "\(huge.text)")
        let garbage = try await server.request(.POST, "/admin/v1/snaps", token: acme, body: Data("{".utf8))
        #expect(garbage.status == 400)
        let missing = try await server.request(.GET, "/admin/v1/snaps/nope/status", token: acme)
        #expect(missing.status == 404)
        #expect(try await server.request(.GET, "/admin/v1/nothing-here", token: acme).status == 404)
    }
}
