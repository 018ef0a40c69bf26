import Assertions
import DepotCrypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StoreCore
import StoreHTTP
import StoreProtocol
import StoreTestSupport
import Testing

/// What a device may read: a private snap and a revision never released are its publisher's
/// alone, on every way a device reaches a snap (info, find, snap actions, downloads by URL).
@Suite struct VisibilityTests {
    struct World {
        let client: any TestClientProtocol
        let fixture: StoreFixture
        let snapID: String
        let publicID: String
        let owner: String
        let stranger: String
    }

    func withWorld(_ body: @Sendable (World) async throws -> Void) async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        let eve = try await fixture.publisher("eve", id: "eve-account")
        let admin = try await fixture.store.issueToken(for: .admin, description: "test")
        let app = Application(router: StoreServer(store: fixture.store, host: "127.0.0.1", port: 0).makeRouter())
        try await app.test(.router) { client in
            // Registered through the admin API with the key the docs give.
            let registered = try await client.execute(
                uri: "/admin/v1/snaps", method: .post, headers: [.authorization: "Bearer \(admin)"],
                body: ByteBuffer(string: #"{"name": "secret-tool", "publisher": "acme-brand", "is-private": true}"#))
            #expect(registered.status == .created, "\(String(buffer: registered.body))")
            let snap = try await fixture.store.snap(named: "secret-tool")
            #expect(snap.isPrivate)
            _ = try await fixture.store.upload(
                try fixture.ingest(try fixture.packSnap("secret-tool", architectures: ["amd64"])),
                name: "secret-tool", release: ["stable"], by: acme)
            // A public snap with a second revision uploaded but never released.
            let open = try await fixture.store.register(name: "open-tool", by: acme)
            for (version, release) in [("1", ["stable"]), ("2", [])] {
                _ = try await fixture.store.upload(
                    try fixture.ingest(try fixture.packSnap("open-tool", version: version, architectures: ["amd64"])),
                    name: "open-tool", release: release, by: acme)
            }
            try await body(
                World(
                    client: client, fixture: fixture, snapID: snap.snapID, publicID: open.snapID,
                    owner: try await fixture.store.issueToken(for: acme, description: "acme"),
                    stranger: try await fixture.store.issueToken(for: eve, description: "eve")))
        }
    }

    /// The answers one caller gets; `token` signs the device's user in, as snapd's `Authorization`.
    struct Answers {
        var info: HTTPResponse.Status
        var found: Bool
        var install: String
        var download: HTTPResponse.Status
        var pinnedDraft: String
        var draftDownload: HTTPResponse.Status
    }

    func answers(_ world: World, token: String?) async throws -> Answers {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        let client = world.client
        let info = try await client.execute(uri: "/v2/snaps/info/secret-tool", method: .get, headers: headers)
        let find = try await client.execute(uri: "/v2/snaps/find?q=tool", method: .get, headers: headers)
        let action = try await client.execute(
            uri: "/v2/snaps/refresh", method: .post, headers: headers,
            body: ByteBuffer(
                string: #"""
                    {"context": [], "actions": [
                      {"action": "install", "instance-key": "a", "name": "secret-tool"},
                      {"action": "download", "instance-key": "b", "name": "open-tool", "revision": 2}]}
                    """#))
        let results = try WireJSON.literalDecoder.decode(SnapActionResponse.self, from: Data(buffer: action.body))
            .results
        func outcome(_ key: String) -> String {
            guard let result = results.first(where: { $0.instanceKey == key }) else { return "missing" }
            return result.error?.code ?? "r\(result.snap?.revision ?? 0)"
        }
        let download = try await client.execute(
            uri: "/api/v1/snaps/download/\(world.snapID)_1.snap", method: .get, headers: headers)
        let draft = try await client.execute(
            uri: "/api/v1/snaps/download/\(world.publicID)_2.snap", method: .get, headers: headers)
        return Answers(
            info: info.status, found: String(buffer: find.body).contains("secret-tool"), install: outcome("a"),
            download: download.status, pinnedDraft: outcome("b"), draftDownload: draft.status)
    }

    @Test func privateSnapsAndDraftRevisionsAreTheirPublishersAlone() async throws {
        try await withWorld { world in
            for (who, token) in [("anonymous", nil), ("another publisher", world.stranger)] {
                let seen = try await answers(world, token: token)
                #expect(seen.info == .notFound, "\(who)")
                #expect(!seen.found, "\(who)")
                #expect(seen.install == "name-not-found", "\(who)")
                #expect(seen.download == .notFound, "\(who)")
                #expect(seen.pinnedDraft == "revision-not-found", "\(who)")
                #expect(seen.draftDownload == .notFound, "\(who)")
            }
            let owner = try await answers(world, token: world.owner)
            #expect(owner.info == .ok && owner.found && owner.install == "r1" && owner.download == .ok)
            #expect(owner.pinnedDraft == "r2" && owner.draftDownload == .ok)
            // The released revision of the public snap stays anyone's.
            let released = try await world.client.execute(
                uri: "/api/v1/snaps/download/\(world.publicID)_1.snap", method: .get)
            #expect(released.status == .ok)
        }
    }

    /// Which brand store a device sees: its model's, once it has a session, whatever its header
    /// says; without a session, the store its header names.
    @Test func aSessionsModelDecidesTheBrandStore() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        let key = try PrivateKey.generate(bits: 2048)
        _ = try await fixture.store.registerKey(
            accountID: "acme-brand", name: "models", publicKey: key.publicKey, by: acme)
        var models: [Assertion] = []
        for (name, store) in [("with-store", "acme-store"), ("without-store", nil)] {
            var headers: Headers = [
                "type": "model", "authority-id": "acme-brand", "brand-id": "acme-brand", "series": "16",
                "model": .string(name), "architecture": "amd64", "gadget": "pc", "kernel": "pc-kernel",
                "timestamp": .string(Timestamp.now().text),
            ]
            if let store { headers["store"] = .string(store) }
            models.append(try AssertionSigner.sign(headers: headers, key: key))
        }
        _ = try await fixture.store.importAssertions(models, by: .admin)
        _ = try await fixture.store.register(
            name: "branded", publisherID: "acme-brand", store: "acme-store", by: .admin)
        _ = try await fixture.store.upload(
            try fixture.ingest(try fixture.packSnap("branded", architectures: ["amd64"])), name: "branded",
            store: "acme-store", release: ["stable"], by: .admin)
        var sessions: [String: String] = [:]
        for model in ["with-store", "without-store"] {
            let token = "session-\(model)"
            try await fixture.catalogue.addDeviceSession(
                tokenHash: Hex.encode(Digest.sha3_384(Array(token.utf8))),
                device: DeviceRecord(
                    brandID: "acme-brand", model: model, serial: "1", deviceKeyID: "k-\(model)", registeredAt: nil,
                    signedBy: nil, firstSeen: 0, lastSeen: 0, lastSession: 0),
                at: Int64(Date().timeIntervalSince1970))
            sessions[model] = token
        }
        let app = Application(router: StoreServer(store: fixture.store, host: "127.0.0.1", port: 0).makeRouter())
        let withStore = sessions["with-store"]
        let withoutStore = sessions["without-store"]
        try await app.test(.router) { client in
            func info(session: String?, header: String?) async throws -> HTTPResponse.Status {
                var headers: HTTPFields = [:]
                if let session {
                    headers[HTTPField.Name("Snap-Device-Authorization")!] = #"Macaroon root="\#(session)""#
                }
                if let header { headers[HTTPField.Name("Snap-Device-Store")!] = header }
                return try await client.execute(uri: "/v2/snaps/info/branded", method: .get, headers: headers).status
            }
            let seen = [
                try await info(session: withStore, header: nil),
                try await info(session: withoutStore, header: "acme-store"),
                try await info(session: nil, header: "acme-store"), try await info(session: nil, header: nil),
            ]
            #expect(seen == [.ok, .notFound, .ok, .notFound])
        }
    }
}
