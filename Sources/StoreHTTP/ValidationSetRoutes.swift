import Assertions
import Foundation
import Hummingbird
import StoreCore

/// snapcraft's validation-set calls (`/api/v2/validation-sets…`), answered with the header objects
/// its strict model accepts (`../shared/docs/publisher-api.md` §7.4).
struct ValidationSetRoutes {
    let store: SnapStore

    func add(to router: Router<BasicRequestContext>) {
        router.get("api/v2/validation-sets") { request, _ in
            try await list(request, name: nil)
        }
        router.get("api/v2/validation-sets/{name}") { request, context in
            try await list(request, name: try context.parameters.require("name"))
        }
        router.post("api/v2/validation-sets/build-assertion") { request, _ in
            let principal = try await store.principal(for: request)
            let body = try await PublisherJSON.object(request)
            let accountID = try PublisherJSON.string(body, "account-id")
            guard principal.isAdmin || principal.accountID == accountID else {
                throw StoreError(.forbidden, "this login cannot build validation sets for \(accountID)")
            }
            var headers = body
            headers["authority-id"] = accountID
            headers["series"] = "16"
            headers["type"] = "validation-set"
            headers["timestamp"] = Timestamp.now().text
            if let revision = body["revision"] { headers["revision"] = "\(revision)" }
            return try PublisherJSON.response(headers)
        }
        router.post("api/v2/validation-sets") { request, _ in
            let principal = try await store.principal(for: request)
            var request = request
            let text = try await request.collectBody(upTo: 1 << 20)
            let assertion = try Assertion.decode(Array(buffer: text))
            let published = try await store.publishValidationSet(assertion, by: principal)
            return try PublisherJSON.response(["assertions": [["headers": Self.headers(published)]]])
        }
    }

    func list(_ request: Request, name: String?) async throws -> Response {
        let principal = try await store.principal(for: request)
        guard let accountID = principal.accountID else {
            throw StoreError(.invalid, "validation sets belong to an account; use a publisher's login")
        }
        let sets = try await store.validationSets(
            accountID: accountID, name: name, sequence: request.uri.queryParameters.get("sequence"))
        return try PublisherJSON.response(["assertions": sets.map { ["headers": Self.headers($0)] }])
    }

    /// The headers snapcraft's model reads: no body-length, revisions of snaps as numbers.
    static func headers(_ assertion: Assertion) -> [String: Any] {
        var result: [String: Any] = [
            "type": "validation-set", "authority-id": assertion.authorityID, "series": assertion.string("series"),
            "account-id": assertion.string("account-id"), "name": assertion.string("name"),
            "sequence": assertion.string("sequence"), "timestamp": assertion.string("timestamp"),
            "sign-key-sha3-384": assertion.signKeyID,
        ]
        if assertion.revision > 0 { result["revision"] = String(assertion.revision) }
        if let set = try? ValidationSet(assertion) {
            result["snaps"] = set.snaps.map { snap -> [String: Any] in
                var item: [String: Any] = ["name": snap.name, "id": snap.snapID, "presence": snap.presence.rawValue]
                if snap.revision > 0 { item["revision"] = snap.revision }
                return item
            }
        }
        return result
    }
}
