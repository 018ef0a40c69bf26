import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import StoreCore

/// The HTTP server: one router in front of one `SnapStore`, assembled here from the route families
/// (`Admin/`, `Publisher/`, `Device/`), each a type whose handlers are named methods.
public struct StoreServer: Sendable {
    public let store: SnapStore
    public let host: String
    public let port: Int
    public let uploadArea: UploadAreaLimits
    public let connections: ConnectionLimits
    /// What `GET /metrics` shows; `serve` bootstraps swift-metrics with its factory.
    public let metrics: StoreMetrics
    let traffic: TrafficCounter
    let dashboard: DashboardRoutes

    public init(
        store: SnapStore, host: String, port: Int, uploadArea: UploadAreaLimits = .init(),
        connections: ConnectionLimits = .init()
    ) {
        self.store = store
        self.host = host
        self.port = port
        self.uploadArea = uploadArea
        self.connections = connections
        metrics = StoreMetrics()
        traffic = TrafficCounter(metrics: metrics)
        dashboard = DashboardRoutes(store: store, sessions: DashboardSessions())
    }

    /// `fileRegions`: downloads are sent by sendfile, which needs `FileRegionWriter` in the
    /// channel (as `run` puts it); without it they are read in chunks.
    public func makeRouter(fileRegions: Bool = false) -> Router<StoreRequestContext> {
        let router = Router(context: StoreRequestContext.self)
        router.add(middleware: LogRequestsMiddleware(.info))
        // Outside the error middlewares, so refusals are counted with their status.
        router.add(middleware: TrafficMiddleware(counter: traffic))
        // Requests by route and status, and their latency, through swift-metrics.
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: StoreHeadersMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.get("readyz", use: ready)
        // snapd's devicestate sends `HEAD <proxy store URL>` and uses the proxy's serial vault only
        // when it answers 200 with a Snap-Store-Version of 6 or more (`newEnoughProxy`).
        router.head("/", use: identity)
        router.get("/", use: identity)
        AdminRoutes(store: store, traffic: traffic).add(to: router)
        let uploads = PendingUploads(limits: uploadArea, blobs: store.blobs)
        SnapcraftDashboardRoutes(store: store, uploads: uploads).add(to: router)
        PublisherV1Routes(store: store, uploads: uploads).add(to: router)
        ValidationSetRoutes(store: store).add(to: router)
        AssertionRoutes(store: store).add(to: router)
        DeviceRoutes(store: store).add(to: router)
        SerialVaultRoutes(store: store).add(to: router)
        DownloadRoutes(store: store, fileRegions: fileRegions).add(to: router)
        MetricsRoutes(store: store, metrics: metrics).add(to: router)
        dashboard.add(to: router)
        return router
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully. `onRunning` gets the bound port.
    public func run(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void) async throws {
        let app = Application(
            router: makeRouter(fileRegions: true),
            server: HTTPServerBuilder { [connections] responder in
                FileRegionChannel(
                    base: HTTP1Channel(
                        responder: responder,
                        configuration: .init(
                            idleTimeout: .seconds(Int64(connections.idleSeconds)),
                            httpDecoderConfiguration: .init(
                                maxHeaderFieldSize: 16 << 10, maxHeaderListSize: 64 << 10, maxHeaderFieldCount: 200))))
            },
            configuration: .init(
                address: .hostname(host, port: port), serverName: "snapdepot",
                availableConnectionsDelegate: MaximumAvailableConnections(connections.maximum)),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        try await app.runService()
    }

    /// How many connections the server holds open, and how long one may sit idle (between
    /// requests, or part-way through sending one: a client that trickles its headers is closed).
    /// A response being written is never idle, so a long download on a slow link goes on.
    public struct ConnectionLimits: Sendable {
        public var maximum: Int
        public var idleSeconds: Int

        public init(maximum: Int = 2048, idleSeconds: Int = 60) {
            self.maximum = maximum
            self.idleSeconds = idleSeconds
        }
    }

    struct Ready: Encodable {
        let status = "ready"
    }

    @Sendable func ready(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try JSONBody.response(Ready())
    }

    struct Identity: Encodable {
        let store = "snapdepot"
        let authorityID: String

        enum CodingKeys: String, CodingKey {
            case store
            case authorityID = "authority-id"
        }
    }

    /// The store's identity for API clients; a browser gets the dashboard's overview.
    @Sendable func identity(_ request: Request, context: StoreRequestContext) async throws -> Response {
        if request.method == .get, DashboardRoutes.wantsPage(request) {
            return try await dashboard.overview(request, context: context)
        }
        return try JSONBody.response(Identity(authorityID: store.identity.authorityID))
    }
}
