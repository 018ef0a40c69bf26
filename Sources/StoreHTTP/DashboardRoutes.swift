import Foundation
import Hummingbird
import StoreCore

/// snapcraft's default dialect: Ubuntu One logins, `/dev/api/...` and `/api/v2/...` on the dashboard
/// URL, and the storage host's `/unscanned-upload/` (`../shared/docs/publisher-api.md` §6.1–§6.3).
/// The store plays Ubuntu One itself: point `UBUNTU_ONE_SSO_URL` at it.
struct DashboardRoutes {
    let store: SnapStore
    let uploads: PendingUploads

    func add(to router: Router<BasicRequestContext>) {
        router.post("dev/api/acl/") { request, _ in
            let body = try await PublisherJSON.object(request)
            let permissions = body["permissions"] as? [String] ?? []
            let expires = (body["expires"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
            // The client looks for the caveat addressed to the host it knows as Ubuntu One: this one.
            let macaroon = try await store.mintRootMacaroon(
                permissions: permissions, description: body["description"] as? String ?? "",
                expiresAt: expires.map { Int64($0.timeIntervalSince1970) }, dischargeLocation: Self.host(request))
            return try PublisherJSON.response(["macaroon": macaroon])
        }
        router.post("api/v2/tokens/discharge") { request, _ in
            let body = try await PublisherJSON.object(request)
            let discharge = try await store.discharge(
                email: try PublisherJSON.string(body, "email"), password: try PublisherJSON.string(body, "password"),
                caveatID: try PublisherJSON.string(body, "caveat_id"))
            return try PublisherJSON.response(["discharge_macaroon": discharge])
        }
        router.post("api/v2/tokens/refresh") { request, _ in
            let body = try await PublisherJSON.object(request)
            let discharge = try await store.refreshDischarge(try PublisherJSON.string(body, "discharge_macaroon"))
            return try PublisherJSON.response(["discharge_macaroon": discharge])
        }
        router.get("api/v2/tokens/whoami") { request, _ in
            try PublisherJSON.response(try await whoami(request))
        }
        router.post("dev/api/register-name/") { request, _ in
            let principal = try await store.principal(for: request)
            let body = try await PublisherJSON.object(request)
            let snap = try await store.register(
                name: try PublisherJSON.string(body, "snap_name"), store: body["store"] as? String,
                isPrivate: body["is_private"] as? Bool ?? false, by: principal)
            return try PublisherJSON.response(["snap_id": snap.snapID], status: .created)
        }
        router.get("dev/api/account") { request, _ in
            let principal = try await store.principal(for: request)
            guard let accountID = principal.accountID, let account = try await store.catalogue.account(id: accountID)
            else {
                throw StoreError(.invalid, "the admin token has no account; use a publisher's login")
            }
            var snaps: [String: Any] = [:]
            for snap in try await store.catalogue.snaps(publisherID: accountID) {
                snaps[snap.name] = [
                    "snap-id": snap.snapID, "snap_id": snap.snapID, "status": "Approved", "private": snap.isPrivate,
                    "since": PublisherJSON.time(snap.createdAt), "store": snap.store ?? "Global",
                ]
            }
            let keys = try await store.catalogue.assertions(ofType: .accountKey).filter {
                $0.string("account-id") == accountID
            }
            .map { ["name": $0.string("name"), "public-key-sha3-384": $0.string("public-key-sha3-384")] }
            return try PublisherJSON.response([
                "account_id": account.id, "id": account.id, "username": account.username,
                "email": try await store.catalogue.accountEmail(id: account.id) ?? "", "account_keys": keys,
                "account-keys": keys, "snaps": ["16": snaps],
            ])
        }
        router.post("dev/api/snap-push/") { request, _ in
            let principal = try await store.principal(for: request)
            let body = try await PublisherJSON.object(request)
            let name = try PublisherJSON.string(body, "name")
            let snap = try await store.snap(named: name)
            guard principal.isAdmin || principal.accountID == snap.publisherID else {
                throw StoreError(.forbidden, "snap \"\(name)\" belongs to another publisher")
            }
            if body["dry_run"] as? Bool == true { return try PublisherJSON.response([String: Any]()) }
            let uploadID = try PublisherJSON.string(body, "updown_id")
            try await review(
                uploadID, name: name, snap: snap, channels: body["channels"] as? [String] ?? [], by: principal)
            let url = "http://\(Self.host(request))/dev/api/snaps/\(snap.snapID)/builds/\(uploadID)/status"
            return try PublisherJSON.response(["status_details_url": url], status: .accepted)
        }
        router.get("dev/api/snaps/{snapID}/builds/{uploadID}/status") { request, context in
            _ = try await store.principal(for: request)
            guard let review = await uploads.review(try context.parameters.require("uploadID")) else {
                throw StoreError(.notFound, "no such upload")
            }
            return try PublisherJSON.response([
                "code": review.errors.isEmpty ? "ready_to_release" : "processing_error", "processed": true,
                "revision": review.revision.map { $0 as Any } ?? NSNull(),
                "errors": review.errors.map { ["message": $0] },
            ])
        }
        router.post("unscanned-upload/") { request, _ in
            let blob = try await MultipartUpload.receive(request, into: store)
            return try PublisherJSON.response(["successful": true, "upload_id": await uploads.add(blob)])
        }
        router.post("dev/api/snap-release/") { request, _ in
            let principal = try await store.principal(for: request)
            let body = try await PublisherJSON.object(request)
            let name = try PublisherJSON.string(body, "name")
            guard let revision = (body["revision"] as? String).flatMap(Int.init) ?? body["revision"] as? Int else {
                throw StoreError(.invalid, "\"revision\" must be a revision number")
            }
            let channels = body["channels"] as? [String] ?? []
            var percentage: Double?
            if let progressive = body["progressive"] as? [String: Any], let value = progressive["percentage"] as? Double
            {
                percentage = value
            }
            let map = try await store.release(
                name: name, revision: revision, channels: channels, progressive: percentage, by: principal)
            return try PublisherJSON.response([
                "success": true, "opened_channels": channels,
                "channel_map": map.releases.map(PublisherViews.channelMapEntry),
            ])
        }
        router.post("dev/api/snaps/{snapID}/close") { request, context in
            let principal = try await store.principal(for: request)
            let snap = try await snap(id: try context.parameters.require("snapID"))
            let body = try await PublisherJSON.object(request)
            let channels = body["channels"] as? [String] ?? []
            _ = try await store.close(name: snap.name, store: snap.store, channels: channels, by: principal)
            return try PublisherJSON.response(["closed_channels": channels, "channel_map_tree": [String: Any]()])
        }
        router.get("api/v2/snaps/{name}/channel-map") { request, context in
            _ = try await store.principal(for: request)
            let snap = try await store.snap(named: try context.parameters.require("name"))
            let map = try await store.catalogue.channelMap(snapID: snap.snapID)
            let released = Set(map.releases.map(\.revision))
            let revisions = try await store.catalogue.revisions(snapID: snap.snapID).filter {
                released.contains($0.revision)
            }
            return try PublisherJSON.response([
                "channel-map": map.releases.map(PublisherViews.channelMapEntry),
                "revisions": revisions.map {
                    ["revision": $0.revision, "version": $0.version, "architectures": $0.architectures]
                },
                "snap": [
                    "name": snap.name, "id": snap.snapID, "private": snap.isPrivate, "default-track": map.defaultTrack,
                    "channels": PublisherViews.channels(map),
                    "tracks": PublisherViews.tracks(map, createdAt: snap.createdAt),
                ],
            ])
        }
        router.get("api/v2/snaps/{name}/releases") { request, context in
            _ = try await store.principal(for: request)
            let snap = try await store.snap(named: try context.parameters.require("name"))
            let history = try await store.catalogue.releaseHistory(snapID: snap.snapID)
            let releases: [[String: Any]] = history.reversed().flatMap { event -> [[String: Any]] in
                guard let channel = try? ChannelRequest.parse(event.channel).channel(defaultTrack: "latest") else {
                    return []
                }
                return (event.architectures.isEmpty ? ["all"] : event.architectures).map { architecture in
                    [
                        "architecture": architecture,
                        "branch": channel.branch.isEmpty ? NSNull() : channel.branch as Any,
                        "channel": channel.name, "revision": event.revision.map { $0 as Any } ?? NSNull(),
                        "risk": channel.risk.rawValue, "track": channel.track, "when": PublisherJSON.time(event.at),
                        "progressive": [
                            "paused": NSNull(), "percentage": event.percentage.map { $0 as Any } ?? NSNull(),
                            "current-percentage": event.percentage.map { $0 as Any } ?? NSNull(),
                        ],
                    ]
                }
            }
            let revisions = try await store.catalogue.revisions(snapID: snap.snapID)
            return try PublisherJSON.response([
                "releases": releases, "revisions": revisions.reversed().map(PublisherViews.revision),
            ])
        }
        for method in [HTTPRequest.Method.post, .put] {
            router.on("dev/api/snaps/{snapID}/metadata", method: method) { request, context in
                let principal = try await store.principal(for: request)
                let snapID = try context.parameters.require("snapID")
                let body = try await PublisherJSON.object(request)
                var listing = try await store.catalogue.snapListing(snapID: snapID)
                if let title = body["title"] as? String { listing.title = title }
                if let summary = body["summary"] as? String { listing.summary = summary }
                if let description = body["description"] as? String { listing.description = description }
                if let license = body["license"] as? String { listing.license = license }
                try await store.setListing(listing, snapID: snapID, by: principal)
                return try PublisherJSON.response([String: Any]())
            }
        }
        router.get("dev/api/snaps/{snapID}/binary-metadata") { request, context in
            let principal = try await store.principal(for: request)
            let snap = try await snap(id: try context.parameters.require("snapID"))
            guard principal.isAdmin || principal.accountID == snap.publisherID else {
                throw StoreError(.forbidden, "snap \"\(snap.name)\" belongs to another publisher")
            }
            return try PublisherJSON.response([Any]())
        }
    }

    func whoami(_ request: Request) async throws -> [String: Any] {
        let principal = try await store.principal(for: request)
        var account: [String: Any] = [
            "id": "admin", "username": "admin", "email": "", "name": "store admin", "validation": "verified",
        ]
        if let id = principal.accountID, let record = try await store.catalogue.account(id: id) {
            account = [
                "id": record.id, "username": record.username, "name": record.displayName,
                "email": try await store.catalogue.accountEmail(id: id) ?? "", "validation": record.validation,
            ]
        }
        return [
            "account": account,
            "permissions": [
                "package_access", "package_manage", "package_push", "package_register", "package_release",
                "package_update",
            ], "channels": NSNull(), "packages": NSNull(),
        ]
    }

    /// Takes a notified upload through the store's upload path and keeps the outcome for polling.
    func review(_ uploadID: String, name: String, snap: SnapRecord, channels: [String], by principal: Principal)
        async throws
    {
        guard let blob = await uploads.take(uploadID) else {
            throw StoreError(.notFound, "no pending upload \(uploadID); upload the file to /unscanned-upload/ first")
        }
        do {
            let record = try await store.upload(blob, name: name, store: snap.store, release: channels, by: principal)
            await uploads.record(
                .init(snapName: name, snapID: snap.snapID, revision: record.revision, errors: []), for: uploadID)
        } catch let error as StoreError where error.kind == .invalid || error.kind == .conflict {
            await uploads.record(
                .init(snapName: name, snapID: snap.snapID, revision: nil, errors: [error.message]), for: uploadID)
        }
    }

    func snap(id: String) async throws -> SnapRecord {
        guard let snap = try await store.catalogue.snap(id: id) else {
            throw StoreError(.notFound, "no snap with id \(id)")
        }
        return snap
    }

    /// The host and port the client used, which is where it will come back.
    static func host(_ request: Request) -> String {
        request.head.authority ?? "127.0.0.1"
    }
}
