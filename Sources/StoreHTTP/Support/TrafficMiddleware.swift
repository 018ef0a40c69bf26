import Hummingbird
import StoreProtocol
import Synchronization

/// The store's own count of what it answered (`GET /admin/v1/counters`): what a fleet rehearsal
/// checks its devices' count against.
/// Each count also goes to `/metrics`.
final class TrafficCounter: Sendable {
    private let counts = Mutex(TrafficCounts())
    let metrics: StoreMetrics

    init(metrics: StoreMetrics) {
        self.metrics = metrics
    }

    func count(method: String, path: String, status: Int, bodyBytes: Int) {
        let counted = counts.withLock { counts in
            let before = counts
            counts.count(method: method, path: path, status: status, bodyBytes: bodyBytes)
            return counts - before
        }
        metrics.count(counted)
    }

    var snapshot: TrafficCounts { counts.withLock { $0 } }
}

/// Counts every answer by route and status; a download's bytes are the body it declared.
struct TrafficMiddleware<Context: RequestContext>: RouterMiddleware {
    let counter: TrafficCounter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let response = try await next(request, context)
        counter.count(
            method: request.method.rawValue, path: request.uri.path, status: response.status.code,
            bodyBytes: response.headers[.contentLength].flatMap(Int.init) ?? 0)
        return response
    }
}
