import Dispatch
import HTTPTypes
import Hummingbird
import Metrics
import Synchronization

/// Requests by route, method and status, their latency and those in progress, through
/// swift-metrics, under the labels Hummingbird's `MetricsMiddleware` uses (`hb.requests`,
/// `http.server.request.duration`, ...).
///
/// Unlike Hummingbird's, it records when the answer is ready rather than wrapping its body in a
/// closure that records after the body is written: a wrapped body loses Hummingbird's fast path,
/// which writes head, body and end to the channel in one hand-off to the event loop instead of
/// three (docs/performance.md). Every body but a chunked one is written at once anyway, and a
/// download's bytes go by sendfile after its handler returns whichever way it is measured.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let meters = RequestMeters()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let start = DispatchTime.now().uptimeNanoseconds
        let active = meters.active(request.method)
        active.increment()
        defer { active.decrement() }
        do {
            let response = try await next(request, context)
            let route = meters.route(context.endpointPath ?? "Unknown", request.method, response.status)
            route.requests.increment()
            route.duration.recordNanoseconds(DispatchTime.now().uptimeNanoseconds - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let route = meters.route(context.endpointPath ?? "NotFound", request.method, status)
            route.requests.increment()
            route.errors.increment()
            throw error
        }
    }
}

/// The meters made so far, so each request looks its own up rather than asking the factory.
private final class RequestMeters: Sendable {
    struct RouteKey: Hashable {
        let route: String
        let method: HTTPRequest.Method
        let status: Int
    }

    struct RouteMeters: Sendable {
        let requests: Counter
        let duration: Metrics.Timer
        let errors: Counter
    }

    private let routes = Mutex<[RouteKey: RouteMeters]>([:])
    private let methods = Mutex<[HTTPRequest.Method: Meter]>([:])

    func active(_ method: HTTPRequest.Method) -> Meter {
        methods.withLock { methods in
            if let meter = methods[method] { return meter }
            let meter = Meter(
                label: "http.server.active_requests", dimensions: [("http.request.method", method.rawValue)])
            methods[method] = meter
            return meter
        }
    }

    func route(_ route: String, _ method: HTTPRequest.Method, _ status: HTTPResponse.Status) -> RouteMeters {
        let key = RouteKey(route: route, method: method, status: status.code)
        return routes.withLock { routes in
            if let meters = routes[key] { return meters }
            let labels = [
                ("http.route", route), ("http.request.method", method.rawValue),
                ("http.response.status_code", String(status.code)),
            ]
            let meters = RouteMeters(
                requests: Counter(label: "hb.requests", dimensions: labels),
                duration: Metrics.Timer(
                    label: "http.server.request.duration", dimensions: labels, preferredDisplayUnit: .seconds),
                errors: Counter(
                    label: "hb.request.errors",
                    dimensions: [
                        ("http.route", route), ("http.request.method", method.rawValue),
                        ("error.type", String(status.code)),
                    ]))
            routes[key] = meters
            return meters
        }
    }
}
