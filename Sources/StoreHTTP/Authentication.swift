import Foundation
import Hummingbird
import StoreCore

extension SnapStore {
    /// The principal behind a request's `Authorization` header, in any form the clients send:
    /// `Bearer TOKEN`, `Macaroon TOKEN` and on-prem `macaroon TOKEN` (opaque store tokens), and
    /// snapcraft's Ubuntu One form `Macaroon root=…, discharge=…`. Missing or unknown is a 401.
    func principal(for request: Request) async throws -> Principal {
        guard let header = request.headers[.authorization]?.trimmingCharacters(in: .whitespaces) else {
            throw APIError(
                .unauthorized, code: "unauthorized", "this action needs a token: Authorization: Bearer TOKEN")
        }
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
                return try await authenticate(root: root, discharge: discharge)
            } catch let error as StoreError {
                let code = error.message == SnapStore.needsRefresh ? "macaroon-needs-refresh" : "macaroon-invalid"
                throw APIError(.unauthorized, code: code, error.message)
            }
        }
        guard let principal = try await authenticate(token: credential) else {
            throw APIError(.unauthorized, code: "unauthorized", "the token is not valid for this store")
        }
        return principal
    }
}
