import Foundation
import Hummingbird
import StoreCore

/// Reads the `Authorization` header of admin and publisher requests into the context's principal,
/// in any form the clients send: `Bearer TOKEN`, `Macaroon TOKEN` and on-prem `macaroon TOKEN`
/// (opaque store tokens), and snapcraft's Ubuntu One form `Macaroon root=…, discharge=…`. A request
/// without one goes on without a principal: only routes that need one refuse it, with the reason.
struct PublisherAuthenticator: RouterMiddleware {
    let store: SnapStore

    func handle(
        _ request: Request, context: StoreRequestContext,
        next: (Request, StoreRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization]?.trimmingCharacters(in: .whitespaces) {
            do {
                context.principal = try await Self.principal(header, store: store)
            } catch let error as APIError {
                context.authenticationFailure = error
            }
        }
        return try await next(request, context)
    }

    /// The principal an `Authorization` value names, or the 401 that says why it names none.
    static func principal(_ header: String, store: SnapStore) async throws -> Principal {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, ["bearer", "macaroon"].contains(parts[0].lowercased()) else {
            throw APIError(.unauthorized, code: "unauthorized", "use Authorization: Bearer TOKEN or Macaroon …")
        }
        let credential = String(parts[1]).trimmingCharacters(in: .whitespaces)
        if parts[0].lowercased() == "macaroon", credential.hasPrefix("root=") {
            var fields: [String: String] = [:]
            for field in credential.components(separatedBy: ",") {
                let pair = field.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if pair.count == 2 { fields[String(pair[0])] = String(pair[1]) }
            }
            guard let root = fields["root"], let discharge = fields["discharge"] else {
                throw APIError(.unauthorized, code: "unauthorized", "the Macaroon header needs root= and discharge=")
            }
            do {
                return try await store.authenticate(root: root, discharge: discharge)
            } catch let error as StoreError {
                let code = error.message == SnapStore.needsRefresh ? "macaroon-needs-refresh" : "macaroon-invalid"
                throw APIError(.unauthorized, code: code, error.message)
            }
        }
        guard let principal = try await store.authenticate(token: credential) else {
            throw APIError(.unauthorized, code: "unauthorized", "the token is not valid for this store")
        }
        return principal
    }
}
