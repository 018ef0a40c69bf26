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

/// Every route of the router × every kind of caller, with what each may do. The routes come from
/// the router itself, so a route added without a line here fails this test until someone decides
/// who may call it.
@Suite struct AuthorizationMatrixTests {
    enum Caller: String, CaseIterable {
        case anonymous, device, publisherA = "publisher A", publisherB = "publisher B", admin
    }

    /// Who gets past authorisation, in `Caller` order: `y` gets an answer that is not a refusal,
    /// `n` gets 401 or 403 (or 404, for a snap that is not theirs to see). Publisher A owns
    /// `a-snap`, the snap every `{name}` and `{snapID}` names.
    static let open = "yyyyy"
    static let anyToken = "nnyyy"
    static let owner = "nnyny"
    static let adminOnly = "nnnny"
    static let cookieOnly = "nnnnn"

    static let expected: [String: String] = [
        // snapd's device API, the assertion service and the serial vault: no store credentials.
        "GET /": open, "HEAD /": open, "GET /readyz": open, "GET /dashboard": open, "GET /dashboard/snaps": open,
        "GET /dashboard/snaps/{name}": open, "GET /dashboard/devices": open, "GET /dashboard/rollouts": open,
        "GET /dashboard/sign-in": open, "GET /dashboard/models": open, "GET /dashboard/faults": open,
        "GET /dashboard/snaps/{name}/live.json": open, "GET /dashboard/live.js": open,
        "POST /dashboard/faults": cookieOnly, "POST /dashboard/faults/clear": cookieOnly,
        "POST /dashboard/devices/tags": cookieOnly,
        // The dashboard's forms take no token header: a session cookie and its CSRF token (DashboardTests).
        "POST /dashboard/sign-in": cookieOnly, "POST /dashboard/sign-out": cookieOnly,
        "POST /dashboard/snaps/{name}/releases": cookieOnly, "POST /dashboard/snaps/{name}/rollouts": cookieOnly,
        "GET /v2/snaps/info/{name}": open, "GET /v2/snaps/find": open, "POST /v2/snaps/refresh": open,
        "POST /v2/cohorts": open, "GET /v2/assertions/**": open, "GET /api/v1/snaps/names": open,
        "GET /api/v1/snaps/sections": open, "GET /api/v1/snaps/download/{file}": open,
        "HEAD /api/v1/snaps/download/{file}": open, "POST /api/v1/snaps/auth/nonces": open,
        "POST /api/v1/snaps/auth/request-id": open, "POST /api/v1/snaps/auth/devices": open,
        "POST /api/v1/snaps/auth/sessions": open, "POST /serial-vault/request-id": open,
        "POST /serial-vault/serial": open, "POST /snapdepot/v1/attempts": open, "GET /v2/repairs/{brand}/{id}": open,
        // snapcraft's login and upload steps, which carry no token by design.
        "POST /unscanned-upload": open, "POST /dev/api/acl": open, "POST /api/v2/tokens/discharge": open,
        "POST /api/v2/tokens/refresh": open, "POST /v1/tokens/offline/exchange": open, "GET /admin/v1/trust": open,
        "POST /admin/v1/trust": adminOnly,
        // Any account, about itself or its own names.
        "GET /admin/v1/whoami": anyToken, "GET /api/v2/tokens/whoami": anyToken, "GET /v1/tokens/whoami": anyToken,
        "GET /dev/api/account": anyToken, "POST /dev/api/account/account-key": anyToken, "GET /v1/snap": anyToken,
        "POST /v1/snap": anyToken,
        "POST /admin/v1/snaps": anyToken, "POST /dev/api/register-name": anyToken,
        "GET /api/v2/validation-sets": anyToken, "GET /api/v2/validation-sets/{name}": anyToken,
        "POST /api/v2/validation-sets": anyToken, "POST /api/v2/validation-sets/build-assertion": anyToken,
        "POST /dev/api/snap-push": anyToken, "POST /dev/api/snap-release": anyToken,
        "GET /admin/v1/faults": anyToken, "POST /admin/v1/faults": anyToken,
        "GET /admin/v1/groups": anyToken, "POST /admin/v1/groups": anyToken,
        "GET /admin/v1/groups/{name}": anyToken, "DELETE /admin/v1/groups/{name}": anyToken,
        "GET /admin/v1/devices": anyToken, "POST /admin/v1/devices/tags": anyToken, "DELETE /admin/v1/faults": anyToken,
        "DELETE /admin/v1/faults/{id}": anyToken,
        // A snap's own publisher.
        "GET /admin/v1/snaps/{name}/history": owner, "GET /admin/v1/snaps/{name}/revisions": owner,
        "GET /admin/v1/snaps/{name}/rollouts": owner, "GET /admin/v1/snaps/{name}/status": owner,
        "POST /admin/v1/snaps/{name}/close": owner, "POST /admin/v1/snaps/{name}/progressive": owner,
        "POST /admin/v1/snaps/{name}/promotions": owner, "GET /admin/v1/snaps/{name}/deltas": owner,
        "POST /admin/v1/snaps/{name}/deltas": owner,
        "POST /admin/v1/snaps/{name}/releases": owner, "POST /admin/v1/snaps/{name}/revisions": owner,
        "POST /admin/v1/snaps/{name}/rollouts": owner, "POST /admin/v1/snaps/{name}/tracks": owner,
        "GET /api/v2/snaps/{name}/channel-map": owner, "GET /api/v2/snaps/{name}/releases": owner,
        "GET /dev/api/snaps/{snapID}/binary-metadata": owner, "POST /dev/api/snaps/{snapID}/close": owner,
        "POST /dev/api/snaps/{snapID}/metadata": owner, "PUT /dev/api/snaps/{snapID}/metadata": owner,
        "GET /v1/snap/{name}": owner, "GET /v1/snap/{name}/releases": owner, "GET /v1/snap/{name}/revisions": owner,
        "GET /v1/snap/{name}/revisions/review": owner, "POST /v1/snap/{name}/releases": owner,
        "POST /v1/snap/{name}/revisions": owner, "POST /v1/snap/{name}/tracks": owner,
        "DELETE /v1/snap/{name}": owner, "GET /dev/api/snaps/{snapID}/builds/{uploadID}/status": owner,
        // A brand's own devices, keys and serial vault keys.
        "GET /admin/v1/devices/{brand}/{model}/{serial}": owner,
        "DELETE /admin/v1/devices/{brand}/{model}/{serial}/sessions": owner, "POST /admin/v1/accounts/{id}/keys": owner,
        "GET /admin/v1/accounts/{id}/vault-keys": owner, "POST /admin/v1/accounts/{id}/vault-keys": owner,
        "GET /admin/v1/accounts/{id}/vault-policy": owner, "PUT /admin/v1/accounts/{id}/vault-policy": owner,
        // The admin's.
        "GET /admin/v1/accounts": adminOnly, "POST /admin/v1/accounts": adminOnly,
        "POST /admin/v1/accounts/{id}/tokens": adminOnly,
        "POST /admin/v1/assertions": adminOnly, "POST /admin/v1/import": adminOnly, "POST /admin/v1/stores": adminOnly,
        "GET /admin/v1/counters": adminOnly, "GET /metrics": adminOnly, "GET /admin/v1/tokens": adminOnly,
        "DELETE /admin/v1/tokens/{id}": adminOnly, "POST /admin/v1/tokens/rotate-admin": adminOnly,
        "GET /admin/v1/fleet-runs/{run}/steps/{step}": adminOnly,
        "PUT /admin/v1/fleet-runs/{run}/steps/{step}/parties/{party}": adminOnly,
    ]

    /// A concrete path for a route pattern, naming publisher A's snap and account.
    static func path(_ pattern: String, snapID: String) -> String {
        var path = pattern
        for (parameter, value) in [
            ("{name}", "a-snap"), ("{snapID}", snapID), ("{id}", "acme-brand"), ("{file}", "\(snapID)_1.snap"),
            ("{brand}", "acme-brand"), ("{model}", "m"), ("{serial}", "1"), ("{uploadID}", "none"),
            ("**", "account/acme-brand"), ("{run}", "rehearsal"), ("{step}", "1"), ("{party}", "1"),
        ] {
            path = path.replacingOccurrences(of: parameter, with: value)
        }
        if pattern.hasPrefix("/admin/v1/faults/") || pattern.hasPrefix("/admin/v1/tokens/{") {
            path = pattern.replacingOccurrences(of: "{id}", with: "12345678")
        }
        if pattern.hasPrefix("/admin/v1/groups/") { path = pattern.replacingOccurrences(of: "{name}", with: "g") }
        return path
    }

    @Test func everyRouteRefusesWhoeverItShould() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        let eve = try await fixture.publisher("eve", id: "eve-account")
        let snap = try await fixture.store.register(name: "a-snap", by: acme)
        _ = try await fixture.store.upload(
            try fixture.ingest(try fixture.packSnap("a-snap", architectures: ["amd64"])), name: "a-snap",
            release: ["stable"], by: acme)
        let session = "matrix-device-session"
        try await fixture.catalogue.addDeviceSession(
            tokenHash: Hex.encode(Digest.sha3_384(Array(session.utf8))),
            device: DeviceRecord(
                brandID: "acme-brand", model: "m", serial: "1", deviceKeyID: "k", registeredAt: nil, signedBy: nil,
                firstSeen: 0, lastSeen: 0, lastSession: 0),
            at: Int64(Date().timeIntervalSince1970))
        let credentials: [Caller: HTTPFields] = [
            .anonymous: [:],
            .device: [HTTPField.Name("Snap-Device-Authorization")!: #"Macaroon root="\#(session)""#],
            .publisherA: [.authorization: "Bearer \(try await fixture.store.issueToken(for: acme, description: "a"))"],
            .publisherB: [.authorization: "Bearer \(try await fixture.store.issueToken(for: eve, description: "b"))"],
            .admin: [.authorization: "Bearer \(try await fixture.store.issueToken(for: .admin, description: "admin"))"],
        ]
        let router = StoreServer(store: fixture.store, host: "127.0.0.1", port: 0).makeRouter()
        // Routes that end a credential in use go last: the device's sessions, then the admin token.
        func rank(_ route: String) -> Int {
            route.hasSuffix("rotate-admin") ? 2 : route.hasPrefix("DELETE") && route.hasSuffix("/sessions") ? 1 : 0
        }
        let routes = router.routes.map(\.description).sorted { (rank($0), $0) < (rank($1), $1) }
        let app = Application(router: router)
        let found = try await app.test(.router) { client in
            var found: [String: String] = [:]
            for route in routes {
                let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
                let method = HTTPRequest.Method(parts[0]) ?? .get
                let path = Self.path(parts[1], snapID: snap.snapID)
                var outcome = ""
                for caller in [Caller.anonymous, .device, .publisherB, .publisherA, .admin] {
                    var headers = credentials[caller] ?? [:]
                    headers[.contentType] = "application/json"
                    let response = try await client.execute(
                        uri: path, method: method, headers: headers,
                        body: method == .get || method == .head ? nil : ByteBuffer(string: "{}"))
                    // A 404 is a refusal when the route names publisher A's snap, account or device
                    // (a brand's repairs are public: their 404 is only that there are none).
                    let namesA =
                        (["{snapID}", "{file}", "{brand}"].contains { parts[1].contains($0) }
                            && !parts[1].hasPrefix("/v2/repairs/"))
                        || (parts[1].contains("{name}") && !parts[1].hasPrefix("/admin/v1/groups/"))
                        || parts[1].hasPrefix("/admin/v1/accounts/{id}")
                    let refused =
                        [401, 403].contains(response.status.code)
                        || (caller == .publisherB && response.status.code == 404 && namesA)
                    outcome += refused ? "n" : "y"
                }
                // Back to Caller order: anonymous, device, A, B, admin.
                let letters = Array(outcome)
                found[route] = String([letters[0], letters[1], letters[3], letters[2], letters[4]])
            }
            return found
        }
        let unlisted = Set(found.keys).subtracting(Self.expected.keys).sorted()
        #expect(unlisted.isEmpty, "routes nobody decided the callers of: \(unlisted)")
        let stale = Set(Self.expected.keys).subtracting(found.keys).sorted()
        #expect(stale.isEmpty, "routes listed here that the router no longer has: \(stale)")
        let callers = Caller.allCases.map(\.rawValue).joined(separator: ", ")
        for (route, outcome) in found.sorted(by: { $0.key < $1.key }) {
            guard let wanted = Self.expected[route] else { continue }
            #expect(outcome == wanted, "\(route): \(outcome), expected \(wanted) for \(callers)")
        }
    }
}
