import Assertions
import Foundation
import Hummingbird
import StoreCore

/// The admin and publisher API under `/admin/v1`, which the `snapdepot` CLI and seeding scripts use.
/// Every route but `trust` needs a token; docs/admin-api.md lists them with curl examples.
struct AdminRoutes {
    let store: SnapStore
    let traffic: TrafficCounter

    func add(to router: Router<StoreRequestContext>) {
        let api = router.group("admin/v1").add(middleware: PublisherAuthenticator(store: store))
        api.get("whoami", use: whoami)
        api.get("counters", use: counters)
        api.get("trust", use: trust)
        api.post("trust", use: trustRoot)
        api.post("accounts", use: createAccount)
        api.get("accounts", use: accounts)
        api.post("accounts/{id}/tokens", use: issueToken)
        api.post("accounts/{id}/keys", use: registerKey)
        api.post("assertions", use: importAssertions)
        api.post("stores", use: createBrandStore)
        api.post("snaps", use: registerSnap)
        api.post("snaps/{name}/revisions", use: upload)
        api.post("import", use: importSnap)
        api.get("snaps/{name}/revisions", use: revisions)
        api.post("snaps/{name}/releases", use: release)
        api.post("snaps/{name}/close", use: close)
        api.post("snaps/{name}/promotions", use: promote)
        api.get("snaps/{name}/deltas", use: deltas)
        api.post("snaps/{name}/deltas", use: makeDelta)
        api.post("snaps/{name}/progressive", use: progressive)
        api.get("snaps/{name}/rollouts", use: rollouts)
        api.post("snaps/{name}/rollouts", use: rollout)
        api.post("snaps/{name}/tracks", use: tracks)
        api.get("snaps/{name}/status", use: status)
        api.get("snaps/{name}/history", use: history)
        api.get("faults", use: faults)
        api.post("faults", use: addFault)
        api.delete("faults", use: clearFaults)
        api.delete("faults/{id}", use: clearFaults)
        AdminDeviceRoutes(store: store).add(to: api)
        AdminFleetRunRoutes(store: store).add(to: api)
        AdminTokenRoutes(store: store).add(to: api)
    }

    /// What the store answered since it started, as a fleet rehearsal checks it (admin only).
    @Sendable func counters(_ request: Request, context: StoreRequestContext) async throws -> Response {
        guard try context.requirePrincipal().isAdmin else {
            throw APIError(.forbidden, code: "forbidden", "the counters need the admin token")
        }
        return try JSONBody.response(traffic.snapshot, dialect: .admin)
    }

    @Sendable func whoami(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        return try JSONBody.response(
            WhoAmI(role: principal.role.rawValue, accountID: principal.accountID), dialect: .admin)
    }

    @Sendable func trust(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try JSONBody.response(
            TrustInfo(
                authorityID: store.identity.authorityID,
                trusted: String(decoding: AssertionStream.encode(store.identity.trusted), as: UTF8.self),
                storeAccountKey: store.identity.storeAccountKey.encodedText,
                importsTrusted: String(decoding: AssertionStream.encode(store.extraTrusted), as: UTF8.self)),
            dialect: .admin)
    }

    /// Trusts another root for imports from now on (an assertion stream of its account and account-key).
    @Sendable func trustRoot(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requireAdmin()
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        try store.trustRoot(try AssertionStream.decode(Array(buffer: body)), by: principal)
        return try await trust(request, context: context)
    }

    @Sendable func createAccount(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requireAdmin()
        let body = try await JSONBody.decode(NewAccount.self, from: request, dialect: .admin)
        let account = try await store.createAccount(
            username: body.username, displayName: body.displayName, id: body.id,
            validation: body.validation ?? "unproven", by: principal)
        if let email = body.email {
            try await store.setEmail(email, accountID: account.id, by: principal)
        }
        return try JSONBody.response(account, status: .created, dialect: .admin)
    }

    @Sendable func accounts(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try JSONBody.response(try await store.accounts(by: try context.requirePrincipal()), dialect: .admin)
    }

    @Sendable func issueToken(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requireAdmin()
        let id = try context.parameters.require("id")
        let body = try await JSONBody.decode(NewToken.self, from: request, dialect: .admin)
        let token = try await store.issueToken(
            forAccount: id, description: body.description ?? "", lifetime: body.expiresIn, by: principal)
        return try JSONBody.response(IssuedToken(token: token, accountID: id), status: .created, dialect: .admin)
    }

    @Sendable func registerKey(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requireActing(for: try context.parameters.require("id"))
        let body = try await JSONBody.decode(NewKey.self, from: request, dialect: .admin)
        let key = try PublicKey(encoded: body.publicKey)
        let assertion = try await store.registerKey(
            accountID: try context.parameters.require("id"), name: body.name, publicKey: key, by: principal)
        return try JSONBody.response(
            RegisteredKey(keyID: key.id, accountKey: assertion.encodedText), status: .created, dialect: .admin)
    }

    @Sendable func importAssertions(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requireAdmin()
        var request = request
        let body = try await request.collectBody(upTo: 64 << 20)
        let assertions = try AssertionStream.decode(Array(buffer: body))
        return try JSONBody.response(try await store.importAssertions(assertions, by: principal), dialect: .admin)
    }

    @Sendable func createBrandStore(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requireAdmin()
        let body = try await JSONBody.decode(NewBrandStore.self, from: request, dialect: .admin)
        let assertion = try await store.createBrandStore(
            id: body.store, operatorID: body.operatorID, url: body.url, friendlyStores: body.friendlyStores ?? [],
            location: body.location, by: principal)
        return Response(
            status: .created, headers: [.contentType: "application/x.ubuntu.assertion"],
            body: .init(byteBuffer: ByteBuffer(bytes: assertion.encoded)))
    }

    @Sendable func registerSnap(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(NewSnap.self, from: request, dialect: .admin)
        let snap = try await store.register(
            name: body.name, publisherID: body.publisher, store: body.store, isPrivate: body.isPrivate ?? false,
            snapID: body.snapID, by: principal)
        return try JSONBody.response(snap, status: .created, dialect: .admin)
    }

    @Sendable func upload(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let name = try context.parameters.require("name")
        let query = request.uri.queryParameters
        let revision = try query.get("revision").map { (text: String) -> Int in
            guard let number = Int(text) else { throw StoreError(.invalid, "revision must be a number") }
            return number
        }
        try await store.requireUploadRight(
            name: name, store: query.get("store"), fixedRevision: revision != nil, by: principal)
        let blob = try await Upload.receive(request, into: store)
        let record = try await store.upload(
            blob, name: name, store: query.get("store"), revision: revision,
            release: Self.channels(query.get("release")), by: principal)
        return try JSONBody.response(record, status: .created, dialect: .admin)
    }

    @Sendable func importSnap(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requireAdmin()
        let blob = try await Upload.receive(request, into: store)
        let record = try await store.importSnap(
            blob, assertions: [], release: Self.channels(request.uri.queryParameters.get("release")), by: principal)
        return try JSONBody.response(record, status: .created, dialect: .admin)
    }

    @Sendable func revisions(_ request: Request, context: StoreRequestContext) async throws -> Response {
        _ = try await store.ownedSnap(
            named: try context.parameters.require("name"), store: request.uri.queryParameters.get("store"),
            by: try context.requirePrincipal())
        let revisions = try await store.revisions(
            name: try context.parameters.require("name"), store: request.uri.queryParameters.get("store"))
        return try JSONBody.response(revisions, dialect: .admin)
    }

    @Sendable func release(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await store.requirePublishesName(try context.parameters.require("name"), by: principal)
        let body = try await JSONBody.decode(NewRelease.self, from: request, dialect: .admin)
        let name = try context.parameters.require("name")
        _ = try await store.release(
            name: name, store: body.store, revision: body.revision, channels: body.channels,
            progressive: body.progressive, group: body.to, gate: try body.gate(), by: principal)
        return try JSONBody.response(try await store.status(name: name, store: body.store), dialect: .admin)
    }

    @Sendable func promote(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await store.requirePublishesName(try context.parameters.require("name"), by: principal)
        let body = try await JSONBody.decode(Promotion.self, from: request, dialect: .admin)
        let name = try context.parameters.require("name")
        _ = try await store.promote(
            name: name, store: body.store, from: body.fromChannel, to: body.toChannel, by: principal)
        return try JSONBody.response(try await store.status(name: name, store: body.store), dialect: .admin)
    }

    @Sendable func deltas(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let name = try context.parameters.require("name")
        try await store.requirePublishesName(name, by: principal)
        let views = try await store.deltas(name: name, store: request.uri.queryParameters.get("store"), by: principal)
        return try JSONBody.response(views, dialect: .admin)
    }

    @Sendable func makeDelta(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let name = try context.parameters.require("name")
        try await store.requirePublishesName(name, by: principal)
        let body = try await JSONBody.decode(DeltaOrder.self, from: request, dialect: .admin)
        let made = try await store.makeDelta(
            name: name, store: body.store, from: body.source, to: body.target, by: principal)
        return try JSONBody.response(made, dialect: .admin)
    }

    @Sendable func close(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await store.requirePublishesName(try context.parameters.require("name"), by: principal)
        let body = try await JSONBody.decode(CloseChannels.self, from: request, dialect: .admin)
        let name = try context.parameters.require("name")
        _ = try await store.close(name: name, store: body.store, channels: body.channels, by: principal)
        return try JSONBody.response(try await store.status(name: name, store: body.store), dialect: .admin)
    }

    @Sendable func progressive(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await store.requirePublishesName(try context.parameters.require("name"), by: principal)
        let body = try await JSONBody.decode(ProgressiveChange.self, from: request, dialect: .admin)
        let name = try context.parameters.require("name")
        _ = try await store.setProgressive(
            name: name, store: body.store, channel: body.channel, percentage: body.percentage, paused: body.paused,
            by: principal)
        return try JSONBody.response(try await store.status(name: name, store: body.store), dialect: .admin)
    }

    @Sendable func rollouts(_ request: Request, context: StoreRequestContext) async throws -> Response {
        _ = try await store.ownedSnap(
            named: try context.parameters.require("name"), store: request.uri.queryParameters.get("store"),
            by: try context.requirePrincipal())
        let rollouts = try await store.rollouts(
            name: try context.parameters.require("name"), store: request.uri.queryParameters.get("store"))
        return try JSONBody.response(rollouts, dialect: .admin)
    }

    @Sendable func rollout(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await store.requirePublishesName(try context.parameters.require("name"), by: principal)
        let body = try await JSONBody.decode(RolloutChange.self, from: request, dialect: .admin)
        let name = try context.parameters.require("name")
        guard let action = SnapStore.RolloutAction(rawValue: body.action) else {
            throw StoreError(.invalid, "unknown rollout action \"\(body.action)\": resume, complete or abort")
        }
        _ = try await store.rollout(action, name: name, store: body.store, channel: body.channel, by: principal)
        return try JSONBody.response(try await store.status(name: name, store: body.store), dialect: .admin)
    }

    @Sendable func faults(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try JSONBody.response(try await store.faults(by: try context.requirePrincipal()), dialect: .admin)
    }

    @Sendable func addFault(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(NewFault.self, from: request, dialect: .admin)
        let fault = try await store.addFault(try body.fault(), snapName: body.snap, store: body.store, by: principal)
        return try JSONBody.response(fault, status: .created, dialect: .admin)
    }

    struct Cleared: Codable {
        let cleared: Int
    }

    @Sendable func clearFaults(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let id = try context.parameters.get("id").map { (text: String) -> Int in
            guard let id = Int(text) else { throw StoreError(.invalid, "a fault id is a number, not \"\(text)\"") }
            return id
        }
        let cleared = try await store.clearFaults(id: id, by: try context.requirePrincipal())
        return try JSONBody.response(Cleared(cleared: cleared), dialect: .admin)
    }

    @Sendable func tracks(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try await store.requirePublishesName(try context.parameters.require("name"), by: principal)
        let body = try await JSONBody.decode(TrackChange.self, from: request, dialect: .admin)
        let name = try context.parameters.require("name")
        _ = try await store.configureTracks(
            name: name, store: body.store, add: body.add ?? [], defaultTrack: body.defaultTrack, by: principal)
        return try JSONBody.response(try await store.status(name: name, store: body.store), dialect: .admin)
    }

    @Sendable func status(_ request: Request, context: StoreRequestContext) async throws -> Response {
        _ = try await store.ownedSnap(
            named: try context.parameters.require("name"), store: request.uri.queryParameters.get("store"),
            by: try context.requirePrincipal())
        let status = try await store.status(
            name: try context.parameters.require("name"), store: request.uri.queryParameters.get("store"))
        return try JSONBody.response(status, dialect: .admin)
    }

    @Sendable func history(_ request: Request, context: StoreRequestContext) async throws -> Response {
        _ = try await store.ownedSnap(
            named: try context.parameters.require("name"), store: request.uri.queryParameters.get("store"),
            by: try context.requirePrincipal())
        let snap = try await store.snap(
            named: try context.parameters.require("name"), store: request.uri.queryParameters.get("store"))
        return try JSONBody.response(try await store.releaseHistory(of: snap), dialect: .admin)
    }

    static func channels(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
    }
}
