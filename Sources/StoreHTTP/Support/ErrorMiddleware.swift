import Hummingbird

/// Turns any thrown error into an `APIError` response and logs server-side failures.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError {
            throw APIError(
                error.status, code: error.status.code == 404 ? "not-found" : "invalid-request",
                error.body ?? "\(error.status)")
        } catch {
            let api = APIError(error)
            if api.status == .internalServerError {
                context.logger.error("request failed", metadata: ["error": "\(error)"])
            }
            throw api
        }
    }
}
