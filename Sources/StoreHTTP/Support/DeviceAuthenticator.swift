import Foundation
import HTTPTypes
import Hummingbird
import StoreCore

/// What snapd's request headers say about the device, in either header dialect
/// (`store/store.go`: `Snap-Device-Architecture`/`X-Ubuntu-Architecture`, `Snap-Device-Store`/
/// `X-Ubuntu-Store`, `Snap-Device-Authorization`/`X-Device-Authorization`, and the signed-in
/// user's `Authorization`), set on the context of
/// device routes. An unknown device session is a 401 that tells snapd to open a new one, except on
/// downloads (`lenient`), which the real store serves from a CDN that checks no session: there the
/// device is simply anonymous.
struct DeviceAuthenticator: RouterMiddleware {
    let store: SnapStore
    var lenient = false

    func handle(
        _ request: Request, context: StoreRequestContext,
        next: (Request, StoreRequestContext) async throws -> Response
    ) async throws -> Response {
        let architecture =
            Self.header(request, Self.architectureHeaders)
            ?? request.uri.queryParameters.get("architecture") ?? "amd64"
        var storeID = Self.header(request, Self.storeHeaders)
        var serialKey: String?
        if let authorization = Self.header(request, Self.authorizationHeaders) {
            let key = try await store.deviceSerialKey(session: Self.sessionToken(authorization))
            if key == nil, !lenient {
                throw APIError(
                    .unauthorized, code: "device-authorization-needs-refresh",
                    "the device session is unknown; open a new one",
                    extraHeaders: [.wwwAuthenticate: "Macaroon refresh_device_session=1"])
            }
            serialKey = key
        }
        // A device with a session sees its model's brand store: the header is anyone's to set.
        // Without a session the header is taken at its word (as `snap download` and
        // `prepare-image` send it): a brand store's public snaps are not secrets; private ones are.
        if let serialKey { storeID = try await store.brandStore(ofDevice: serialKey) }
        // snapd sends the signed-in user's macaroon as `Authorization` (`store/auth.go`); it only
        // widens what the device sees (its own private snaps), so a download, whose URL the CDN
        // serves without checks, goes on anonymously when it is no good.
        var account: Principal?
        if let header = request.headers[.authorization]?.trimmingCharacters(in: .whitespaces), !header.isEmpty {
            do {
                account = try await PublisherAuthenticator.principal(header, store: store)
            } catch {
                if !lenient { throw error }
            }
        }
        var context = context
        context.device = DeviceIdentity(
            architecture: architecture, storeID: storeID, serialKey: serialKey, account: account)
        return try await next(request, context)
    }

    // Made once: a name made from text is checked and lowercased each time, on every device request.
    static let architectureHeaders = headerNames("Snap-Device-Architecture", "X-Ubuntu-Architecture")
    static let storeHeaders = headerNames("Snap-Device-Store", "X-Ubuntu-Store")
    static let authorizationHeaders = headerNames("Snap-Device-Authorization", "X-Device-Authorization")

    static func headerNames(_ names: String...) -> [HTTPField.Name] {
        names.compactMap { HTTPField.Name($0) }
    }

    /// The first non-empty value of a header under the first of its names (snapd's current, then
    /// older) that the request has.
    static func header(_ request: Request, _ names: [HTTPField.Name]) -> String? {
        names.lazy.compactMap { request.headers[$0] }.first { !$0.isEmpty }
    }

    /// The session of `Macaroon root="…"` (snapd's `store/auth.go`), its quotes and spaces trimmed.
    static func sessionToken(_ authorization: String) -> String {
        var token = Substring(authorization)
        if token.hasPrefix("Macaroon root=") { token = token.dropFirst("Macaroon root=".count) }
        return String(token.trimming { $0 == "\"" || $0 == " " })
    }
}
