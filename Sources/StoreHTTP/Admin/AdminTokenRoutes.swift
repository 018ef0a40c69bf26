import Foundation
import Hummingbird
import StoreCore
import StoreProtocol

/// `/admin/v1/tokens`: list every token by id (never the token), revoke one, and rotate the admin
/// token. The catalogue is read on every request, so a revoked token fails at its next use.
struct AdminTokenRoutes {
    let store: SnapStore

    func add(to api: RouterGroup<StoreRequestContext>) {
        api.get("tokens", use: list)
        api.delete("tokens/{id}", use: revoke)
        api.post("tokens/rotate-admin", use: rotateAdmin)
    }

    struct Rotated: Codable {
        let token: String
    }

    @Sendable func list(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try JSONBody.response(try await store.credentials(by: try context.requirePrincipal()), dialect: .admin)
    }

    @Sendable func revoke(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try await store.revokeToken(id: try context.parameters.require("id"), by: try context.requirePrincipal())
        return Response(status: .noContent)
    }

    /// The caller's own admin token is replaced; the answer carries the new one, once.
    @Sendable func rotateAdmin(_ request: Request, context: StoreRequestContext) async throws -> Response {
        _ = try context.requirePrincipal()
        let header = request.headers[.authorization] ?? ""
        guard header.lowercased().hasPrefix("bearer ") else {
            throw APIError(.forbidden, code: "forbidden", "rotate the admin token with Authorization: Bearer TOKEN")
        }
        let current = String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)
        let replacement = try await store.rotateAdminToken(current)
        return try JSONBody.response(Rotated(token: replacement), dialect: .admin)
    }
}
