import Foundation
import Hummingbird
import Logging
import StoreCore

/// The HTTP server: one router with the readiness probe, the admin API and (in later modules of
/// this folder) snapd's device API, in front of one `SnapStore`.
public struct StoreServer: Sendable {
    public let store: SnapStore
    public let host: String
    public let port: Int

    public init(store: SnapStore, host: String, port: Int) {
        self.store = store
        self.host = host
        self.port = port
    }

    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: LogRequestsMiddleware(.info))
        router.add(middleware: StoreHeadersMiddleware())
        router.add(middleware: ErrorMiddleware())
        router.get("readyz") { _, _ in
            try JSONCoding.response(["status": "ready"])
        }
        // snapd's devicestate sends `HEAD <proxy store URL>` and uses the proxy's serial vault only
        // when it answers 200 with a Snap-Store-Version of 6 or more (`newEnoughProxy`).
        let identity = ["store": "snapdepot", "authority-id": store.identity.authorityID]
        router.head("/") { _, _ in try JSONCoding.response(identity) }
        router.get("/") { _, _ in try JSONCoding.response(identity) }
        AdminRoutes(store: store).add(to: router)
        let uploads = PendingUploads()
        let dashboard = DashboardRoutes(store: store, uploads: uploads)
        dashboard.add(to: router)
        PublisherV1Routes(store: store, uploads: uploads, dashboard: dashboard).add(to: router)
        ValidationSetRoutes(store: store).add(to: router)
        AssertionRoutes(store: store).add(to: router)
        DeviceRoutes(store: store).add(to: router)
        SerialVaultRoutes(store: store).add(to: router)
        AdminDeviceRoutes(store: store).add(to: router)
        DownloadRoutes(store: store).add(to: router)
        return router
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully. `onRunning` gets the bound port.
    public func run(logger: Logger, onRunning: @escaping @Sendable (Int) async -> Void) async throws {
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(host, port: port), serverName: "snapdepot"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        try await app.runService()
    }
}
