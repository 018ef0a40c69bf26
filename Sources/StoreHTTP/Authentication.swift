import Foundation
import Hummingbird
import StoreCore

extension SnapStore {
    /// The principal behind `Authorization: Bearer TOKEN` (or snapcraft's `Macaroon` form later);
    /// a missing or unknown token is a 401.
    func principal(for request: Request) async throws -> Principal {
        guard let header = request.headers[.authorization] else {
            throw APIError(
                .unauthorized, code: "unauthorized", "this action needs a token: Authorization: Bearer TOKEN")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(.unauthorized, code: "unauthorized", "use Authorization: Bearer TOKEN")
        }
        guard let principal = try await authenticate(token: String(parts[1]).trimmingCharacters(in: .whitespaces))
        else {
            throw APIError(.unauthorized, code: "unauthorized", "the token is not valid for this store")
        }
        return principal
    }
}
