import Assertions
import Foundation
import Hummingbird
import StoreCore

/// snapcraft's validation-set calls (`/api/v2/validation-sets…`), answered with the header objects
/// its strict `ValidationSet` model accepts (snapcraft's `storeapi/v2/validation_sets.py`).
struct ValidationSetRoutes {
    let store: SnapStore

    func add(to router: Router<StoreRequestContext>) {
        let api = router.group("api/v2/validation-sets").add(middleware: PublisherAuthenticator(store: store))
        api.get(use: listAll)
        api.get("{name}", use: listNamed)
        api.post("build-assertion", use: buildAssertion)
        api.post(use: publish)
    }

    @Sendable func listAll(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try await list(request, context: context, name: nil)
    }

    @Sendable func listNamed(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try await list(request, context: context, name: try context.parameters.require("name"))
    }

    /// The assertion's headers as snapcraft reads them: no body-length, snap revisions as numbers.
    struct Headers: Encodable {
        struct Snap: Encodable {
            let name: String
            let id: String
            let presence: String
            let revision: Int?
        }

        let type = "validation-set"
        let authorityID: String
        let series: String
        let accountID: String
        let name: String
        let sequence: String
        let timestamp: String
        let signKeySHA3_384: String
        let revision: String?
        let snaps: [Snap]?

        init(_ assertion: Assertion) {
            authorityID = assertion.authorityID
            series = assertion.string("series")
            accountID = assertion.string("account-id")
            name = assertion.string("name")
            sequence = assertion.string("sequence")
            timestamp = assertion.string("timestamp")
            signKeySHA3_384 = assertion.signKeyID
            revision = assertion.revision > 0 ? String(assertion.revision) : nil
            snaps = (try? ValidationSet(assertion))?.snaps.map {
                Snap(
                    name: $0.name, id: $0.snapID, presence: $0.presence.rawValue,
                    revision: $0.revision > 0 ? $0.revision : nil)
            }
        }

        enum CodingKeys: String, CodingKey {
            case type
            case authorityID = "authority-id"
            case series
            case accountID = "account-id"
            case name, sequence, timestamp
            case signKeySHA3_384 = "sign-key-sha3-384"
            case revision, snaps
        }
    }

    struct Listed: Encodable {
        struct Entry: Encodable {
            let headers: Headers
        }

        let assertions: [Entry]

        init(_ assertions: [Assertion]) {
            self.assertions = assertions.map { Entry(headers: Headers($0)) }
        }
    }

    func list(_ request: Request, context: StoreRequestContext, name: String?) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let accountID = principal.accountID else {
            throw StoreError(.invalid, "validation sets belong to an account; use a publisher's login")
        }
        let sets = try await store.validationSets(
            accountID: accountID, name: name, sequence: request.uri.queryParameters.get("sequence"))
        return try JSONBody.response(Listed(sets))
    }

    /// The headers snapcraft sent, completed with what the store decides; snapcraft signs them.
    @Sendable func buildAssertion(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var headers = try await JSONBody.decode([String: JSONValue].self, from: request)
        guard let accountID = headers["account-id"]?.headerText, !accountID.isEmpty else {
            throw APIError(.badRequest, code: "invalid-request", "\"account-id\" is required")
        }
        guard principal.isAdmin || principal.accountID == accountID else {
            throw StoreError(.forbidden, "this login cannot build validation sets for \(accountID)")
        }
        headers["authority-id"] = .string(accountID)
        headers["series"] = .string("16")
        headers["type"] = .string("validation-set")
        headers["timestamp"] = .string(Timestamp.now().text)
        if let revision = headers["revision"]?.headerText { headers["revision"] = .string(revision) }
        return try JSONBody.response(headers)
    }

    @Sendable func publish(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var request = request
        let text = try await request.collectBody(upTo: 1 << 20)
        let assertion = try Assertion.decode(Array(buffer: text))
        let published = try await store.publishValidationSet(assertion, by: principal)
        return try JSONBody.response(Listed([published]))
    }
}
