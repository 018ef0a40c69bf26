import HTTPTypes
import Hummingbird

/// Headers every answer carries: the store API level snapd reads (`Snap-Store-Version` ≥ 20 keeps
/// snapd on the v2 find API, ≥ 6 lets it register devices through this store), and the request id
/// that the server's log lines for this request carry too, so a failing call can be found in the log.
struct StoreHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var storeVersion: String { "51" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        }
        response.headers[.snapStoreVersion] = Self.storeVersion
        response.headers[.requestID] = context.id
        return response
    }
}

extension HTTPField.Name {
    static var snapStoreVersion: Self { Self("Snap-Store-Version")! }
    static var requestID: Self { Self("X-Request-Id")! }
    /// What snapd sends when it can apply deltas (`store/store_action.go`).
    static var snapAcceptDeltaFormat: Self { Self("Snap-Accept-Delta-Format")! }
}
