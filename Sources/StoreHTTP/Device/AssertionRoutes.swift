import Assertions
import Foundation
import Hummingbird
import StoreCore

/// snapd's assertion service: `GET /v2/assertions/{type}/{primary key…}` (`store/store_asserts.go`),
/// validation sets also by sequence key with `?sequence=latest|N`; and the repairs snap-repair
/// fetches (`cmd/snap-repair/runner.go`): `GET /v2/repairs/{brand}/{id}`.
struct AssertionRoutes {
    let store: SnapStore

    func add(to router: Router<StoreRequestContext>) {
        router.get("v2/assertions/**", use: assertion)
        router.get("v2/repairs/{brand}/{id}", use: repair)
    }

    /// snap-repair's fetch: with `Accept: application/x.ubuntu.assertion`, the repair followed by
    /// what verifies it (its signing key and the brand's account), an ETag of its revision
    /// (`If-None-Match` → 304); with `Accept: application/json`, `{"headers": {…}}` (its `Peek`).
    @Sendable func repair(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let brandID = try context.parameters.require("brand")
        guard let repairID = Int(try context.parameters.require("id")),
            let (repair, chain) = try await store.repair(brandID: brandID, repairID: repairID)
        else { throw Self.notFound("no repair \(brandID)/\(context.parameters.get("id") ?? "")") }
        let etag = "\"\(repair.revision)\""
        if request.headers[.accept]?.contains("application/json") == true {
            var headers: [String: JSONValue] = [:]
            for (name, value) in repair.headers { headers[name] = JSONValue(value) }
            return try JSONBody.response(["headers": JSONValue.object(headers)])
        }
        if request.headers[.ifNoneMatch] == etag {
            return Response(status: .notModified, headers: [.eTag: etag])
        }
        var body = ByteBuffer()
        body.writeBytes(AssertionStream.encode([repair] + chain))
        return Response(
            status: .ok, headers: [.contentType: "application/x.ubuntu.assertion", .eTag: etag],
            body: .init(byteBuffer: body))
    }

    @Sendable func assertion(_ request: Request, context: StoreRequestContext) async throws -> Response {
        // Assertions are fetched without a session: a fault here can only target every device.
        if let fault = try await store.firingFault(
            .assertions, device: DeviceIdentity(architecture: "", storeID: nil, serialKey: nil))
        {
            try await fault.spoilBefore(request, context: context)
        }
        let path = context.parameters.getCatchAll().map(String.init)
        guard let typeName = path.first, let type = AssertionType.named(typeName) else {
            throw Self.notFound("no assertion type \(path.first ?? "")")
        }
        let key = Array(path.dropFirst())
        let maxFormat = request.uri.queryParameters.get("max-format").flatMap { Int($0) } ?? type.maxSupportedFormat
        var found: Assertion?
        if type == .validationSet, key.count == type.primaryKey.count - 1 {
            let sequence = request.uri.queryParameters.get("sequence") ?? "latest"
            let candidates = try await store.validationSets(
                accountID: key[1], name: key[2], sequence: sequence == "latest" ? nil : sequence)
            found = candidates.first { $0.string("series") == key[0] }
        } else {
            guard type.fullPrimaryKey(key) != nil, !key.isEmpty else {
                throw Self.notFound("\(type.name) needs its primary key: \(type.primaryKey.joined(separator: "/"))")
            }
            found = try await store.assertion(AssertionReference(type, key))
        }
        guard let found, found.format <= maxFormat else {
            throw Self.notFound("\(type.name) (\(key.joined(separator: "; "))) not found")
        }
        return Response(
            status: .ok, headers: [.contentType: "application/x.ubuntu.assertion"],
            body: .init(byteBuffer: ByteBuffer(bytes: found.encoded)))
    }

    /// snapd recognises not-found only as a JSON `error-list` with code `not-found`.
    static func notFound(_ message: String) -> APIError {
        APIError(.notFound, code: "not-found", message, contentType: "application/problem+json")
    }
}
