import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import StoreCore
import StoreProtocol

/// The dashboard for a workshop's projector: `/` (to a browser), `/dashboard/snaps`,
/// `/dashboard/snaps/{name}`, `/dashboard/devices`, `/dashboard/rollouts`, `/dashboard/models`. Server-rendered HTML
/// from `DashboardTemplates`, and one script (`DashboardLiveScript`) for a snap's live chart; it shows what anyone who reaches the store may see: public snaps of
/// the store's own catalogue (`SnapStore.publicSnaps`), the device inventory and rollouts.
///
/// Signing in (`/dashboard/sign-in`, a token entered once) opens a session (`DashboardSessions`);
/// then the snap page offers what the token may do to that snap — release, and resume, complete
/// or abort a rollout — as forms that carry the session's CSRF token, each checked by the same
/// domain rules as the API (a publisher acts on its own snaps only).
struct DashboardRoutes {
    let store: SnapStore
    let sessions: DashboardSessions
    static let pageSize = 50

    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        let templates = [
            "layout": DashboardTemplates.layout, "overview": DashboardTemplates.overview,
            "rolloutTable": DashboardTemplates.rolloutTable, "rollouts": DashboardTemplates.rollouts,
            "snaps": DashboardTemplates.snaps, "snap": DashboardTemplates.snap, "devices": DashboardTemplates.devices,
            "signIn": DashboardTemplates.signIn, "problem": DashboardTemplates.problem,
            "models": DashboardTemplates.models, "faults": DashboardTemplates.faults,
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
        router.get("dashboard/snaps/{name}/live.json", use: live)
        router.get("dashboard/live.js", use: script)
        router.get("dashboard/devices", use: devices)
        router.get("dashboard/rollouts", use: rollouts)
        router.get("dashboard/models", use: models)
        router.get("dashboard/faults", use: faults)
        router.post("dashboard/faults", use: explained(addFault))
        router.post("dashboard/faults/clear", use: explained(clearFault))
        router.post("dashboard/devices/tags", use: explained(tagDevices))
        router.get("dashboard/sign-in", use: signInForm)
        router.post("dashboard/sign-in", use: explained(signIn))
        router.post("dashboard/sign-out", use: explained(signOut))
        router.post("dashboard/snaps/{name}/releases", use: explained(release))
        router.post("dashboard/snaps/{name}/rollouts", use: explained(rollout))
    }

    /// A form's handler whose refusals (`DashboardProblem`) are pages that say why.
    func explained(
        _ handler: @escaping @Sendable (Request, StoreRequestContext) async throws -> Response
    ) -> @Sendable (Request, StoreRequestContext) async throws -> Response {
        { [self] request, context in
            do {
                return try await handler(request, context)
            } catch let problem as DashboardProblem {
                return try await problemPage(request, problem)
            }
        }
    }

    /// Whether a `GET /` comes from a browser (which asks for HTML) rather than a client of the API.
    static func wantsPage(_ request: Request) -> Bool {
        request.headers[.accept]?.contains("text/html") == true
    }

    @Sendable func overview(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let census = try await store.census(by: nil)
        struct Release {
            let at, snap, what: String
        }
        struct Page {
            let snaps: Int
            let devices: Int
            let rolloutCount: Int
            let rollouts: RolloutRows?
            let releases: [Release]
            let models: [DeviceCount]
            let installed: [StoreCensus.Installed]
        }
        let releases = try await store.latestPublicReleases(limit: 10).map {
            Release(at: Self.time($0.event.at), snap: $0.snap, what: Self.describe($0.event))
        }
        return try await page(
            request, "overview", title: "Overview",
            Page(
                snaps: census.snaps, devices: census.devices.reduce(0) { $0 + $1.count },
                rolloutCount: census.rollouts.count, rollouts: RolloutRows(census.rollouts), releases: releases,
                models: census.devices,
                installed: census.installed))
    }

    @Sendable func rollouts(_ request: Request, context: StoreRequestContext) async throws -> Response {
        struct Page {
            let rollouts: RolloutRows?
        }
        return try await page(
            request, "rollouts", title: "Rollouts",
            Page(rollouts: RolloutRows(try await store.census(by: nil).rollouts)))
    }

    @Sendable func models(_ request: Request, context: StoreRequestContext) async throws -> Response {
        struct Page {
            let rows: [ModelView]
        }
        return try await page(request, "models", title: "Brands and models", Page(rows: try await store.models()))
    }

    /// What the live chart draws: devices per revision as they last reported, and the rollouts.
    @Sendable func live(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let (dossier, _) = try await store.publicSnap(named: name)
        let census = try await store.census(by: nil)
        struct Sample: Encodable {
            struct Revision: Encodable {
                let revision: Int
                let devices: Int
            }
            struct Rollout: Encodable {
                let channel: String
                let revision: Int
                let percentage: Double
                let halted: Bool
            }
            let revisions: [Revision]
            let rollouts: [Rollout]
        }
        let sample = Sample(
            revisions: census.installed.filter { $0.snap == dossier.snap.name }.map {
                .init(revision: $0.revision, devices: $0.devices)
            },
            rollouts: census.rollouts.filter { $0.snap == dossier.snap.name }.map {
                .init(
                    channel: $0.view.channel, revision: $0.view.revision, percentage: $0.view.percentage,
                    halted: $0.view.halt != nil)
            })
        var response = try JSONBody.response(sample)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    @Sendable func script(_ request: Request, context: StoreRequestContext) async throws -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: DashboardLiveScript.source)))
    }

    @Sendable func faults(_ request: Request, context: StoreRequestContext) async throws -> Response {
        struct Row {
            let id: Int
            let kind, endpoint, snap, revision, devices, chance, times: String
            let fired: Int
            let csrf: String?
        }
        struct Actions {
            let csrf: String
            let kinds = Fault.Kind.allCases.map(\.rawValue)
            let endpoints = Fault.Endpoint.allCases.map(\.rawValue)
        }
        struct Page {
            let rows: [Row]
            let actions: Actions?
        }
        let signedIn = try await viewer(request)
        let faults = try await store.census(by: nil).faults
        var names: [String: String] = [:]
        for snapID in Set(faults.compactMap(\.snapID)) {
            names[snapID] =
                try await store.visibleSnap(
                    id: snapID, device: DeviceIdentity(architecture: "", storeID: nil, serialKey: nil))?.snap.name
                ?? snapID
        }
        let rows = faults.map { fault in
            Row(
                id: fault.id, kind: fault.kind.rawValue, endpoint: fault.endpoint.rawValue,
                snap: fault.snapID.map { names[$0] ?? $0 } ?? "every snap",
                revision: fault.revision.map(String.init) ?? "any",
                devices: fault.group.map { "group \($0)" } ?? fault.devicePercent.map { "\($0.formatted()) %" }
                    ?? "all",
                chance: fault.chance.map { "\($0.formatted()) %" } ?? "always",
                times: fault.times.map(String.init) ?? "unlimited", fired: fault.fired, csrf: signedIn?.1.csrf)
        }
        return try await page(
            request, "faults", title: "Faults",
            Page(rows: rows, actions: signedIn.map { Actions(csrf: $0.1.csrf) }))
    }

    @Sendable func addFault(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let back = "/dashboard/faults"
        let form = try await Self.form(request)
        let principal = try await acting(request, form: form, back: back)
        func number(_ name: String) throws -> Double? {
            guard let text = form[name]?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
            guard let value = Double(text) else {
                throw DashboardProblem(.badRequest, "\(name) is a number.", back: back)
            }
            return value
        }
        guard let kind = form["kind"].flatMap(Fault.Kind.init(rawValue:)),
            let endpoint = form["endpoint"].flatMap(Fault.Endpoint.init(rawValue:))
        else { throw DashboardProblem(.badRequest, "A fault needs a kind and an endpoint.", back: back) }
        let snap = form["snap"]?.trimmingCharacters(in: .whitespaces)
        let fault = Fault(
            kind: kind, endpoint: endpoint, revision: try number("revision").map { Int($0) },
            devicePercent: try number("device-percent"), chance: try number("chance"),
            times: try number("times").map { Int($0) }, status: try number("status").map { Int($0) },
            delayMilliseconds: try number("delay-ms").map { Int($0) })
        do {
            _ = try await store.addFault(fault, snapName: snap?.isEmpty == false ? snap : nil, by: principal)
        } catch let error as StoreError {
            throw DashboardProblem(error, back: back)
        }
        return Response(status: .seeOther, headers: [.location: back])
    }

    @Sendable func clearFault(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let back = "/dashboard/faults"
        let form = try await Self.form(request)
        let principal = try await acting(request, form: form, back: back)
        do {
            _ = try await store.clearFaults(id: form["id"].flatMap(Int.init), by: principal)
        } catch let error as StoreError {
            throw DashboardProblem(error, back: back)
        }
        return Response(status: .seeOther, headers: [.location: back])
    }

    @Sendable func tagDevices(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let back = "/dashboard/devices"
        let form = try await Self.form(request)
        let principal = try await acting(request, form: form, back: back)
        func list(_ name: String) -> [String] {
            (form[name] ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        }
        do {
            try await store.tagDevices(
                serials: list("serials"), add: list("add"), remove: list("remove"), by: principal)
        } catch let error as StoreError {
            throw DashboardProblem(error, back: back)
        }
        return Response(status: .seeOther, headers: [.location: back])
    }

    @Sendable func snaps(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let query = request.uri.queryParameters.get("q") ?? ""
        let rows = try await store.publicSnaps(matching: query)
        struct Page {
            let query: String
            let count: String
            let rows: [SnapSummary]
        }
        return try await page(
            request, "snaps", title: "Snaps",
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
        struct Actions {
            struct Rollout {
                let channel: String
                let revision: Int
            }
            let csrf: String
            let rollouts: [Rollout]
        }
        struct Page {
            let name, summary, publisher, snapID, defaultTrack: String
            let channels: [Channel]
            let revisions: [Revision]
            let history: [Event]
            let actions: Actions?
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
        let events = history.reversed().map { Event(at: Self.time($0.at), what: Self.describe($0)) }
        var actions: Actions?
        if let (principal, session) = try await viewer(request),
            principal.isAdmin || principal.accountID == dossier.snap.publisherID
        {
            actions = Actions(
                csrf: session.csrf,
                rollouts: status.rollouts.map { .init(channel: $0.channel, revision: $0.revision) })
        }
        return try await page(
            request, "snap", title: name,
            Page(
                name: dossier.snap.name, summary: dossier.listing.summary ?? "",
                publisher: dossier.publisher?.displayName ?? dossier.snap.publisherID, snapID: dossier.snap.snapID,
                defaultTrack: status.defaultTrack, channels: channels, revisions: revisions, history: events,
                actions: actions))
    }

    @Sendable func devices(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        func field(_ name: String) -> String? {
            query.get(name).map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        let (model, tag, snapName, revision) = (field("model"), field("tag"), field("snap"), field("revision"))
        let offset = max(0, query.get("from").flatMap(Int.init) ?? 0)
        var filter = DeviceFilter(model: model, tag: tag)
        let state = field("state") ?? ""
        let dayAgo = Int64(Date().timeIntervalSince1970) - 86400
        switch state {
        case "seen-today": filter.seenSince = dayAgo
        case "silent": filter.seenBefore = dayAgo
        case "failing": filter.failing = true
        default: break
        }
        var unknownSnap = false
        if let snapName, let number = revision.flatMap(Int.init) {
            if let snapID = try await store.publicSnapID(named: snapName) {
                filter.installed = .init(snapID: snapID, revision: number)
            } else {
                unknownSnap = true
            }
        }
        let found =
            unknownSnap
            ? InventoryPage(devices: [], total: 0)
            : try await store.inventory(filter, offset: offset, limit: Self.pageSize)
        struct Row {
            let brandID, model, serial, tags, installed, failure, registered, lastSeen: String
        }
        struct State {
            let value, label: String
            let selected: Bool
        }
        struct Page {
            let states: [State]
            let model, tag, snap, revision, range: String
            let rows: [Row]
            let previous, next: String?
            let csrf: String?
        }
        func link(_ from: Int) -> String {
            var components = URLComponents()
            components.path = "/dashboard/devices"
            components.queryItems =
                [URLQueryItem(name: "from", value: String(from))]
                + [("model", model), ("tag", tag), ("snap", snapName), ("revision", revision)].compactMap {
                    name, value in
                    value.map { URLQueryItem(name: name, value: $0) }
                }
            return components.string ?? "/dashboard/devices"
        }
        var rows: [Row] = []
        for device in found.devices {
            let reported = try await store.reportedSnaps(of: device)
            let failure = try await store.lastFailure(of: device).map { event in
                "r\(event.revision) \(Self.time(event.at))" + (event.detail.map { ": \($0)" } ?? "")
            }
            rows.append(
                Row(
                    brandID: device.brandID, model: device.model, serial: device.serial,
                    tags: device.tags.joined(separator: ", "),
                    installed: reported.map { "\($0.name ?? $0.snapID) r\($0.revision)" }.joined(separator: ", "),
                    failure: failure ?? "",
                    registered: device.registeredAt.map(Self.time) ?? "elsewhere", lastSeen: Self.time(device.lastSeen))
            )
        }
        let shown = found.devices.count
        return try await page(
            request, "devices", title: "Devices",
            Page(
                states: [
                    ("", "any state"), ("seen-today", "seen in the last day"), ("silent", "silent for a day"),
                    ("failing", "failing its last update"),
                ].map { State(value: $0.0, label: $0.1, selected: $0.0 == state) },
                model: model ?? "", tag: tag ?? "", snap: snapName ?? "", revision: revision ?? "",
                range: shown == 0
                    ? "No device matches."
                    : "Devices \(offset + 1)–\(offset + shown) of \(found.total), most recently seen first.",
                rows: rows, previous: offset > 0 ? link(max(0, offset - Self.pageSize)) : nil,
                next: offset + shown < found.total ? link(offset + shown) : nil,
                csrf: try await viewer(request)?.1.csrf))
    }

    /// A page rendered into the layout, which names who is signed in.
    func page(
        _ request: Request, _ template: String, title: String, _ values: Any, status: HTTPResponse.Status = .ok,
        headers extra: HTTPFields = [:]
    ) async throws -> Response {
        struct Layout {
            let title: String
            let authority: String
            let viewer: String?
            let csrf: String
            let body: String
        }
        let signedIn = try await viewer(request)
        let viewerName = signedIn.map { $0.0.isAdmin ? "the admin" : ($0.0.accountID ?? "a publisher") }
        guard let body = Self.library.render(values, withTemplate: template),
            let html = Self.library.render(
                Layout(
                    title: title, authority: store.identity.authorityID, viewer: viewerName,
                    csrf: signedIn?.1.csrf ?? "", body: body),
                withTemplate: "layout")
        else { throw StoreError(.internalError, "the dashboard has no template \(template)") }
        // No script, no outside resource: a summary that slipped past the escaping still could not run.
        var headers: HTTPFields = [
            .contentType: "text/html; charset=utf-8", .xContentTypeOptions: "nosniff",
            // The one script is the store's own live.js, which asks the store only.
            .contentSecurityPolicy:
                "default-src 'none'; style-src 'unsafe-inline'; script-src 'self'; connect-src 'self'; "
                + "form-action 'self'",
            .cacheControl: "no-store",
        ]
        headers.append(contentsOf: extra)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The signed-in viewer, if the session's token still authenticates.
    func viewer(_ request: Request) async throws -> (Principal, DashboardSessions.Session)? {
        guard let session = sessions.session(request),
            let principal = try await store.authenticate(token: session.token)
        else { return nil }
        return (principal, session)
    }

    // MARK: Signing in and acting

    @Sendable func signInForm(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try await signInPage(request, problem: nil, status: .ok)
    }

    func signInPage(_ request: Request, problem: String?, status: HTTPResponse.Status) async throws -> Response {
        struct Page {
            let csrf: String
            let problem: String?
        }
        let csrf = DashboardSessions.random()
        return try await page(
            request, "signIn", title: "Sign in", Page(csrf: csrf, problem: problem), status: status,
            headers: [.setCookie: DashboardSessions.setCookie(DashboardSessions.signInCookie, csrf, maxAge: 3600)])
    }

    @Sendable func signIn(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let form = try await Self.form(request)
        guard let expected = DashboardSessions.cookie(DashboardSessions.signInCookie, in: request),
            let sent = form["csrf"], DashboardSessions.same(expected, sent)
        else {
            return try await signInPage(
                request, problem: "The form had expired or did not come from this page: try again.", status: .forbidden)
        }
        guard let token = form["token"]?.trimmingCharacters(in: .whitespaces), !token.isEmpty,
            try await store.authenticate(token: token) != nil
        else {
            return try await signInPage(
                request, problem: "That token is not one this store knows (or it was revoked).", status: .unauthorized)
        }
        let (id, _) = sessions.open(token: token)
        var headers: HTTPFields = [.location: "/"]
        headers.append(
            HTTPField(
                name: .setCookie,
                value: DashboardSessions.setCookie(
                    DashboardSessions.cookie, id, maxAge: Int(DashboardSessions.lifetime))))
        headers.append(
            HTTPField(
                name: .setCookie, value: DashboardSessions.setCookie(DashboardSessions.signInCookie, "", maxAge: 0)))
        return Response(status: .seeOther, headers: headers)
    }

    @Sendable func signOut(_ request: Request, context: StoreRequestContext) async throws -> Response {
        _ = try await acting(request, form: try await Self.form(request), back: "/")
        sessions.close(request)
        return Response(
            status: .seeOther,
            headers: [.location: "/", .setCookie: DashboardSessions.setCookie(DashboardSessions.cookie, "", maxAge: 0)])
    }

    @Sendable func release(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let back = "/dashboard/snaps/\(name)"
        let form = try await Self.form(request)
        let principal = try await acting(request, form: form, back: back)
        guard let revision = form["revision"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) else {
            throw DashboardProblem(.badRequest, "A release names a revision by its number.", back: back)
        }
        let share = form["progressive"]?.trimmingCharacters(in: .whitespaces) ?? ""
        guard share.isEmpty || Double(share) != nil else {
            throw DashboardProblem(.badRequest, "The share is a percentage, like 10.", back: back)
        }
        do {
            _ = try await store.release(
                name: name, revision: revision, channels: [form["channel"] ?? "stable"],
                progressive: share.isEmpty ? nil : Double(share), by: principal)
        } catch let error as StoreError {
            throw DashboardProblem(error, back: back)
        }
        return Response(status: .seeOther, headers: [.location: back])
    }

    @Sendable func rollout(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let name = try context.parameters.require("name")
        let back = "/dashboard/snaps/\(name)"
        let form = try await Self.form(request)
        let principal = try await acting(request, form: form, back: back)
        guard let action = form["action"], let channel = form["channel"],
            action == "pause" || SnapStore.RolloutAction(rawValue: action) != nil
        else {
            throw DashboardProblem(.badRequest, "Pause, resume, complete or abort a rollout of a channel.", back: back)
        }
        do {
            if let steered = SnapStore.RolloutAction(rawValue: action) {
                _ = try await store.rollout(steered, name: name, channel: channel, by: principal)
            } else {
                _ = try await store.setProgressive(
                    name: name, channel: channel, percentage: nil, paused: true, by: principal)
            }
        } catch let error as StoreError {
            throw DashboardProblem(error, back: back)
        }
        return Response(status: .seeOther, headers: [.location: back])
    }

    /// The principal behind a form: signed in, and the form carrying the session's CSRF token.
    func acting(_ request: Request, form: [String: String], back: String) async throws -> Principal {
        guard let (principal, session) = try await viewer(request) else {
            throw DashboardProblem(.unauthorized, "Sign in first: actions need a token.", back: "/dashboard/sign-in")
        }
        guard let sent = form["csrf"], DashboardSessions.same(session.csrf, sent) else {
            throw DashboardProblem(
                .forbidden, "The form did not carry this session's CSRF token: reload the page and try again.",
                back: back)
        }
        return principal
    }

    /// A form body (`application/x-www-form-urlencoded`) as its fields, read once, whole, before
    /// anything is decided (an answer sent with the body unread would cut the connection).
    static func form(_ request: Request) async throws -> [String: String] {
        var request = request
        let body = try await request.collectBody(upTo: 64 << 10)
        do {
            return try URLEncodedFormDecoder().decode([String: String].self, from: String(buffer: body))
        } catch {
            throw DashboardProblem(.badRequest, "The form could not be read: \(error)", back: "/")
        }
    }

    /// A refused action as a page that says why.
    func problemPage(_ request: Request, _ problem: DashboardProblem) async throws -> Response {
        struct Page {
            let heading, message, back: String
        }
        return try await page(
            request, "problem", title: "Not done",
            Page(heading: "Not done", message: problem.message, back: problem.back), status: problem.status)
    }

    /// A release event as the timeline says it: "progressive r2 in latest/stable to 30 %".
    static func describe(_ event: ReleaseEvent) -> String {
        let revision = event.revision.map { "r\($0)" } ?? ""
        let share = event.percentage.map { " to \($0.formatted()) %" } ?? ""
        let group = event.group.map { " (group \($0))" } ?? ""
        let detail = event.detail.map { ": \($0)" } ?? ""
        return "\(event.action.rawValue) \(revision) in \(event.channel)\(share)\(group)\(detail)"
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

/// Why a dashboard action was not done, shown as a page with the status an API client would get.
struct DashboardProblem: Error {
    let status: HTTPResponse.Status
    let message: String
    let back: String

    init(_ status: HTTPResponse.Status, _ message: String, back: String) {
        self.status = status
        self.message = message
        self.back = back
    }

    /// The store's refusal with the status the API gives it (`APIError`).
    init(_ error: StoreError, back: String) {
        self.init(APIError(error).status, error.message, back: back)
    }
}
