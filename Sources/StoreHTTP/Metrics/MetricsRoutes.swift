import Hummingbird
import StoreCore

/// `GET /metrics`, Prometheus' text exposition, for the admin token: device counts per brand and
/// model are a brand's business (Prometheus sends the token with `authorization.credentials_file`).
struct MetricsRoutes {
    let store: SnapStore
    let metrics: StoreMetrics

    func add(to router: Router<StoreRequestContext>) {
        router.group().add(middleware: PublisherAuthenticator(store: store)).get("metrics", use: scrape)
    }

    @Sendable func scrape(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard principal.isAdmin else { throw APIError(.forbidden, code: "forbidden", "/metrics needs the admin token") }
        let census = try await store.census(by: principal)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: metrics.render(census))))
    }
}
