import Foundation
import HTTPTypes
import Hummingbird
import StoreCore

/// What snapd's request headers say about the device, in either header dialect (wire protocol §2.1).
enum DeviceRequest {
    static func header(_ request: Request, _ v2: String, _ v1: String) -> String? {
        for name in [v2, v1] {
            if let field = HTTPField.Name(name), let value = request.headers[field], !value.isEmpty { return value }
        }
        return nil
    }

    static func identity(_ request: Request, store: SnapStore) async throws -> DeviceIdentity {
        let architecture =
            header(request, "Snap-Device-Architecture", "X-Ubuntu-Architecture")
            ?? request.uri.queryParameters.get("architecture") ?? "amd64"
        let storeID = header(request, "Snap-Device-Store", "X-Ubuntu-Store")
        var serialKey: String?
        if let authorization = header(request, "Snap-Device-Authorization", "X-Device-Authorization") {
            let token = authorization.replacingOccurrences(of: "Macaroon root=", with: "")
                .trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
            guard let key = try await store.deviceSerialKey(session: token) else {
                throw APIError(
                    .unauthorized, code: "device-authorization-needs-refresh",
                    "the device session is unknown; open a new one",
                    extraHeaders: [.wwwAuthenticate: "Macaroon refresh_device_session=1"])
            }
            serialKey = key
        }
        return DeviceIdentity(architecture: architecture, storeID: storeID, serialKey: serialKey)
    }

    /// The base URL the device used, which download URLs in answers start with.
    static func baseURL(_ request: Request) -> String {
        "http://\(request.head.authority ?? "127.0.0.1")"
    }
}
