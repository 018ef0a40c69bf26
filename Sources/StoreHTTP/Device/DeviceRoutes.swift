import Foundation
import Hummingbird
import StoreCore
import StoreProtocol

/// snapd's device API (`store/store_action.go`, `details_v2.go`, `search_v2.go`, `store.go`): snap
/// actions, info, find, cohorts, the older catalogue endpoints, and device sessions; and the
/// agent's attempt reports, which are snapdepot's own.
struct DeviceRoutes {
    let store: SnapStore

    func add(to router: Router<StoreRequestContext>) {
        let device = router.group().add(middleware: DeviceAuthenticator(store: store))
        device.post("v2/snaps/refresh", use: snapAction)
        device.get("v2/snaps/info/{name}", use: info)
        device.get("v2/snaps/find", use: find)
        device.post("v2/cohorts", use: cohorts)
        device.post("snapdepot/v1/attempts", use: attempt)
        device.get("api/v1/snaps/names", use: names)
        router.get("api/v1/snaps/sections", use: sections)
        router.post("api/v1/snaps/auth/nonces", use: nonce)
        router.post("api/v1/snaps/auth/sessions", use: session)
    }

    @Sendable func snapAction(_ request: Request, context: StoreRequestContext) async throws -> Response {
        var incoming = request
        let buffer = try await incoming.collectBody(upTo: 4 << 20)
        // The fast reader takes what snapd sends; anything else, and every error's wording, is JSONDecoder's.
        let action =
            try (try? SnapActionRequest(reading: buffer.readableBytesView))
            ?? JSONBody.decode(SnapActionRequest.self, from: buffer)
        if let fault = try await store.firingFault(.refresh, device: try context.requireDevice()) {
            try await fault.spoilBefore(request, context: context)
        }
        let answers = try await store.snapActionAnswers(
            action, device: try context.requireDevice(), baseURL: request.baseURL,
            deltaFormat: request.headers[.snapAcceptDeltaFormat])
        // `SnapActionResponse` written from each refresh's kept encoding: the same bytes, a fraction of the cost.
        // Refreshes only: their dossiers are the catalogue's kept ones, the same object until the snap
        // changes; an install reads its snap afresh, and keeping that would keep a dossier per request.
        let encodings = try answers.map { answer in
            switch answer {
            case .revision(let revision) where revision.kind == .refresh:
                try Self.encodedRevisions.encoding(of: revision, \.result)
            default: try [UInt8](JSONBody.encode(answer.result))
            }
        }
        // One allocation for the whole answer (twenty snaps are some twenty kilobytes).
        var body = ByteBuffer()
        body.reserveCapacity(encodings.reduce(16) { $0 + $1.count + 1 })
        body.writeString(#"{"results":["#)
        for (index, encoding) in encodings.enumerated() {
            if index > 0 { body.writeString(",") }
            body.writeBytes(encoding)
        }
        body.writeString("]}")
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    /// A result holds its snap's whole description, a few kilobytes; each entry also keeps the
    /// dossier it was decided from (a few more) until the cache starts over.
    private static let encodedRevisions = EncodedJSONCache<RevisionAnswer>(limit: 2048)

    /// snapdepot's own addition: the agent's account of one attempt (docs/device-api.md).
    @Sendable func attempt(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let report = try await JSONBody.decode(AttemptReport.self, from: request)
        try await store.recordAttempt(report, device: try context.requireDevice())
        return Response(status: .noContent)
    }

    @Sendable func info(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let info = try await store.snapInfo(
            named: try context.parameters.require("name"),
            architecture: request.uri.queryParameters.get("architecture"),
            device: try context.requireDevice(), baseURL: request.baseURL)
        return try JSONBody.response(info)
    }

    @Sendable func find(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let results = try await store.search(
            query: query.get("q"), name: query.get("name"), device: try context.requireDevice(),
            baseURL: request.baseURL)
        return try JSONBody.response(SearchResponse(results: results))
    }

    struct CohortRequest: Decodable {
        let snaps: [String]
    }

    struct CohortKeys: Encodable {
        let cohortKeys: [String: String]

        enum CodingKeys: String, CodingKey {
            case cohortKeys = "cohort-keys"
        }
    }

    @Sendable func cohorts(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(CohortRequest.self, from: request)
        let keys = try await store.cohortKeys(for: body.snaps, device: try context.requireDevice())
        return try JSONBody.response(CohortKeys(cohortKeys: keys))
    }

    @Sendable func names(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let results = try await store.search(
            query: nil, name: nil, device: try context.requireDevice(), baseURL: request.baseURL)
        let items = results.map { CatalogNames.Item(packageName: $0.name, version: $0.snap.version, summary: "") }
        return try JSONBody.response(CatalogNames(items), contentType: "application/hal+json")
    }

    @Sendable func sections(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try JSONBody.response(CatalogSections(["featured", "devices-and-iot"]), contentType: "application/hal+json")
    }

    @Sendable func nonce(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try JSONBody.response(DeviceNonce(nonce: try await store.issueNonce()))
    }

    @Sendable func session(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(DeviceSessionRequest.self, from: request)
        let token = try await store.openDeviceSession(
            request: body.deviceSessionRequest, serial: body.serialAssertion, model: body.modelAssertion)
        return try JSONBody.response(DeviceSessionMacaroon(macaroon: token))
    }
}
