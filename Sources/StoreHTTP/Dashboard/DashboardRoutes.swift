import Foundation
import Hummingbird
import Mustache
import StoreCore
import StoreProtocol

/// The read-only dashboard for a workshop's projector: `/` (to a browser), `/dashboard/snaps`,
/// `/dashboard/snaps/{name}`, `/dashboard/devices`, `/dashboard/rollouts`. Server-rendered HTML
/// from `DashboardTemplates`; it shows what anyone who reaches the store may see: public snaps of
/// the store's own catalogue (`SnapStore.publicSnaps`), the device inventory and rollouts.
struct DashboardRoutes {
    let store: SnapStore
    static let pageSize = 50

    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        let templates = [
            "layout": DashboardTemplates.layout, "overview": DashboardTemplates.overview,
            "rolloutTable": DashboardTemplates.rolloutTable, "rollouts": DashboardTemplates.rollouts,
            "snaps": DashboardTemplates.snaps, "snap": DashboardTemplates.snap, "devices": DashboardTemplates.devices,
        ]
        for (name, text) in templates {
            // The templates are constants of this file's module: one that does not parse is a bug
            // every test catches at once.
            try? library.register(text, named: name)
        }
        return library
    }()

    func add(to router: Router<StoreRequestContext>) {
        router.get("dashboard", use: overview)
        router.get("dashboard/snaps", use: snaps)
        router.get("dashboard/snaps/{name}", use: snap)
        router.get("dashboard/devices", use: devices)
        router.get("dashboard/rollouts", use: rollouts)
    }

    /// Whether a `GET /` comes from a browser (which asks for HTML) rather than a client of the API.
    static func wantsPage(_ request: Request) -> Bool {
        request.headers[.accept]?.contains("text/html") == true
    }

    @Sendable func overview(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let census = try await store.census(by: nil)
        struct Page {
            let snaps: Int
            let devices: Int
            let rolloutCount: Int
            let rollouts: RolloutRows?
            let models: [DeviceCount]
            let installed: [StoreCensus.Installed]
        }
        return try page(
            "overview", title: "Overview",
            Page(
                snaps: census.snaps, devices: census.devices.reduce(0) { $0 + $1.count },
                rolloutCount: census.rollouts.count, rollouts: RolloutRows(census.rollouts), models: census.devices,
                installed: census.installed))
    }

    @Sendable func rollouts(_ request: Request, context: StoreRequestContext) async throws -> Response {
        struct Page {
            let rollouts: RolloutRows?
        }
        return try page(
            "rollouts", title: "Rollouts", Page(rollouts: RolloutRows(try await store.census(by: nil).rollouts)))
    }

    @Sendable func snaps(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let query = request.uri.queryParameters.get("q") ?? ""
        let rows = try await store.publicSnaps(matching: query)
        struct Page {
            let query: String
            let count: String
            let rows: [SnapSummary]
        }
        return try page(
            "snaps", title: "Snaps",
            Page(query: query, count: rows.count == 1 ? "1 snap" : "\(rows.count) snaps", rows: rows))
    }

    @Sendable func snap(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let (dossier, history) = try await store.publicSnap(named: name)
        let status = try await store.status(name: name)
        struct Channel {
            let track, risk, architecture, revision, version, rollout: String
        }
        struct Revision {
            let revision: Int
            let version, architectures, size, digest, shortDigest, created: String
        }
        struct Event {
            let at, what: String
        }
        struct Page {
            let name, summary, publisher, snapID, defaultTrack: String
            let channels: [Channel]
            let revisions: [Revision]
            let history: [Event]
        }
        let channels = status.rows.map { row in
            Channel(
                track: row.track, risk: row.risk, architecture: row.architecture,
                revision: row.revision.map(String.init) ?? (row.following ? "↑" : "–"), version: row.version ?? "",
                rollout: row.progressiveRevision.map { revision in
                    "r\(revision) to \((row.progressivePercentage ?? 0).formatted()) %"
                        + (row.progressiveHalt.map { " — halted: \($0)" } ?? "")
                } ?? "")
        }
        let revisions = dossier.revisions.reversed().map {
            Revision(
                revision: $0.revision, version: $0.version, architectures: $0.architectures.joined(separator: ", "),
                size: ByteCountFormatter.string(fromByteCount: Int64($0.size), countStyle: .binary),
                digest: $0.sha3_384, shortDigest: String($0.sha3_384.prefix(12)), created: Self.time($0.createdAt))
        }
        let events = history.reversed().map { event in
            let revision = event.revision.map { "r\($0)" } ?? ""
            let share = event.percentage.map { " to \($0.formatted()) %" } ?? ""
            let group = event.group.map { " (group \($0))" } ?? ""
            let detail = event.detail.map { ": \($0)" } ?? ""
            return Event(
                at: Self.time(event.at),
                what: "\(event.action.rawValue) \(revision) in \(event.channel)\(share)\(group)\(detail)")
        }
        return try page(
            "snap", title: name,
            Page(
                name: dossier.snap.name, summary: dossier.listing.summary ?? "",
                publisher: dossier.publisher?.displayName ?? dossier.snap.publisherID, snapID: dossier.snap.snapID,
                defaultTrack: status.defaultTrack, channels: channels, revisions: revisions, history: events))
    }

    @Sendable func devices(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        let model = query.get("model").flatMap { $0.isEmpty ? nil : $0 }
        let tag = query.get("tag").flatMap { $0.isEmpty ? nil : $0 }
        let offset = max(0, query.get("from").flatMap(Int.init) ?? 0)
        let found = try await store.inventory(
            DeviceFilter(model: model, tag: tag), offset: offset, limit: Self.pageSize)
        struct Row {
            let brandID, model, serial, tags, registered, lastSeen: String
        }
        struct Page {
            let model, tag, range: String
            let rows: [Row]
            let previous, next: String?
        }
        func link(_ from: Int) -> String {
            var items = [URLQueryItem(name: "from", value: String(from))]
            if let model { items.append(URLQueryItem(name: "model", value: model)) }
            if let tag { items.append(URLQueryItem(name: "tag", value: tag)) }
            var components = URLComponents()
            components.path = "/dashboard/devices"
            components.queryItems = items
            return components.string ?? "/dashboard/devices"
        }
        let shown = found.devices.count
        return try page(
            "devices", title: "Devices",
            Page(
                model: model ?? "", tag: tag ?? "",
                range: shown == 0
                    ? "No device matches."
                    : "Devices \(offset + 1)–\(offset + shown) of \(found.total), most recently seen first.",
                rows: found.devices.map {
                    Row(
                        brandID: $0.brandID, model: $0.model, serial: $0.serial, tags: $0.tags.joined(separator: ", "),
                        registered: $0.registeredAt.map(Self.time) ?? "elsewhere", lastSeen: Self.time($0.lastSeen))
                },
                previous: offset > 0 ? link(max(0, offset - Self.pageSize)) : nil,
                next: offset + shown < found.total ? link(offset + shown) : nil))
    }

    /// A page rendered into the layout.
    func page(_ template: String, title: String, _ values: Any) throws -> Response {
        struct Layout {
            let title: String
            let authority: String
            let body: String
        }
        guard let body = Self.library.render(values, withTemplate: template),
            let html = Self.library.render(
                Layout(title: title, authority: store.identity.authorityID, body: body), withTemplate: "layout")
        else { throw StoreError(.internalError, "the dashboard has no template \(template)") }
        // No script, no outside resource: a summary that slipped past the escaping still could not run.
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .xContentTypeOptions: "nosniff",
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func time(_ seconds: Int64) -> String {
        WireTime.string(seconds).replacingOccurrences(of: "T", with: " ").replacingOccurrences(
            of: "+00:00", with: " UTC")
    }
}

/// A rollout table's rows, nil when there are none (the template's "None").
struct RolloutRows {
    struct Row {
        let snap, channel: String
        let revision: Int
        let percentage, group: String
        let attempts, failures: Int
        let state, stateClass: String
    }

    let rows: [Row]

    init?(_ rollouts: [StoreCensus.Rollout]) {
        guard !rollouts.isEmpty else { return nil }
        rows = rollouts.map { rollout in
            let view = rollout.view
            return Row(
                snap: rollout.snap, channel: view.channel, revision: view.revision,
                percentage: view.percentage.formatted(), group: view.group ?? "everyone", attempts: view.attempts,
                failures: view.failures,
                state: view.halt.map { "halted: \($0.reason)" } ?? (view.paused ? "paused" : "rolling"),
                stateClass: view.halt == nil ? "" : "halted")
        }
    }
}
