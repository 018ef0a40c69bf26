import Foundation
import Hummingbird
import StoreCore

/// The v1 dialect (`/v1/snap...`, `/v1/tokens/...`): snapcraft's on-prem mode, craft-store's
/// `BaseClient` helpers and its `PublisherGateway` (`../shared/docs/publisher-api.md` §6.4).
struct PublisherV1Routes {
    let store: SnapStore
    let uploads: PendingUploads
    let dashboard: DashboardRoutes

    func add(to router: Router<BasicRequestContext>) {
        router.post("v1/tokens/offline/exchange") { request, _ in
            let body = try await PublisherJSON.object(request)
            return try PublisherJSON.response([
                "macaroon": try await store.exchange(token: try PublisherJSON.string(body, "macaroon"))
            ])
        }
        router.get("v1/tokens/whoami") { request, _ in
            try PublisherJSON.response(try await dashboard.whoami(request))
        }
        router.post("v1/snap") { request, _ in
            let principal = try await store.principal(for: request)
            let body = try await PublisherJSON.object(request)
            let snap = try await store.register(
                name: try PublisherJSON.string(body, "name"), isPrivate: body["private"] as? Bool ?? false,
                by: principal)
            return try PublisherJSON.response(["id": snap.snapID])
        }
        router.get("v1/snap") { request, _ in
            let principal = try await store.principal(for: request)
            guard let accountID = principal.accountID else { return try PublisherJSON.response(["results": [Any]()]) }
            let publisher = try await store.catalogue.account(id: accountID)
            var results: [[String: Any]] = []
            for snap in try await store.catalogue.snaps(publisherID: accountID) {
                results.append(
                    PublisherViews.registeredName(
                        snap, publisher: publisher, map: try await store.catalogue.channelMap(snapID: snap.snapID)))
            }
            return try PublisherJSON.response(["results": results])
        }
        router.get("v1/snap/{name}") { request, context in
            let principal = try await store.principal(for: request)
            let snap = try await owned(try context.parameters.require("name"), principal)
            let publisher = try await store.catalogue.account(id: snap.publisherID)
            return try PublisherJSON.response([
                "metadata": PublisherViews.registeredName(
                    snap, publisher: publisher, map: try await store.catalogue.channelMap(snapID: snap.snapID))
            ])
        }
        router.delete("v1/snap/{name}") { request, context in
            let principal = try await store.principal(for: request)
            let snap = try await store.unregister(name: try context.parameters.require("name"), by: principal)
            return try PublisherJSON.response(["package-id": snap.snapID])
        }
        router.post("v1/snap/{name}/revisions") { request, context in
            let principal = try await store.principal(for: request)
            let name = try context.parameters.require("name")
            let snap = try await owned(name, principal)
            let body = try await PublisherJSON.object(request)
            let uploadID = try PublisherJSON.string(body, "upload-id")
            try await dashboard.review(uploadID, name: name, snap: snap, channels: [], by: principal)
            return try PublisherJSON.response(["status-url": "/v1/snap/\(name)/revisions/review?upload-id=\(uploadID)"])
        }
        router.get("v1/snap/{name}/revisions/review") { request, context in
            _ = try await store.principal(for: request)
            guard let uploadID = request.uri.queryParameters.get("upload-id"),
                let review = await uploads.review(uploadID)
            else { throw StoreError(.notFound, "no such upload") }
            return try PublisherJSON.response([
                "revisions": [
                    [
                        "status": review.errors.isEmpty ? "approved" : "rejected",
                        "revision": review.revision.map { $0 as Any } ?? NSNull(),
                        "errors": review.errors.map { ["code": "review-error", "message": $0] },
                    ]
                ]
            ])
        }
        router.get("v1/snap/{name}/revisions") { request, context in
            let principal = try await store.principal(for: request)
            let snap = try await owned(try context.parameters.require("name"), principal)
            let revisions = try await store.catalogue.revisions(snapID: snap.snapID)
            return try PublisherJSON.response(["revisions": revisions.reversed().map(PublisherViews.revision)])
        }
        router.post("v1/snap/{name}/releases") { request, context in
            let principal = try await store.principal(for: request)
            let name = try context.parameters.require("name")
            let requests = try await PublisherJSON.array(request)
            var released: [[String: Any]] = []
            for item in requests {
                let channel = try PublisherJSON.string(item, "channel")
                if let revision = item["revision"] as? Int {
                    _ = try await store.release(name: name, revision: revision, channels: [channel], by: principal)
                    released.append(["channel": channel, "revision": revision])
                } else {
                    // A null revision closes the channel.
                    _ = try await store.close(name: name, channels: [channel], by: principal)
                    released.append(["channel": channel, "revision": NSNull()])
                }
            }
            return try PublisherJSON.response(["released": released])
        }
        router.get("v1/snap/{name}/releases") { request, context in
            let principal = try await store.principal(for: request)
            let snap = try await owned(try context.parameters.require("name"), principal)
            let map = try await store.catalogue.channelMap(snapID: snap.snapID)
            let released = Set(map.releases.map(\.revision))
            let revisions = try await store.catalogue.revisions(snapID: snap.snapID).filter {
                released.contains($0.revision)
            }
            let bases = Dictionary(revisions.map { ($0.revision, $0.base) }, uniquingKeysWith: { first, _ in first })
            return try PublisherJSON.response([
                "channel-map": map.releases.map { release -> [String: Any] in
                    var entry = PublisherViews.channelMapEntry(release)
                    entry["base"] = bases[release.revision].flatMap { $0.isEmpty ? nil : $0 } ?? NSNull()
                    entry["progressive"] = [
                        "paused": release.progressive.map { $0.paused as Any } ?? NSNull(),
                        "percentage": release.progressive.map { $0.percentage as Any } ?? NSNull(),
                    ]
                    return entry
                },
                "package": ["channels": PublisherViews.channels(map)],
                "revisions": revisions.map { PublisherViews.fullRevision($0, publisherID: snap.publisherID) },
            ])
        }
        router.post("v1/snap/{name}/tracks") { request, context in
            let principal = try await store.principal(for: request)
            let name = try context.parameters.require("name")
            let tracks = try await PublisherJSON.array(request).compactMap { $0["name"] as? String }
            let before = try await store.catalogue.channelMap(snapID: try await owned(name, principal).snapID).tracks
                .count
            let map = try await store.configureTracks(name: name, add: tracks, defaultTrack: nil, by: principal)
            return try PublisherJSON.response(["num-tracks-created": map.tracks.count - before])
        }
    }

    func owned(_ name: String, _ principal: Principal) async throws -> SnapRecord {
        let snap = try await store.snap(named: name)
        guard principal.isAdmin || principal.accountID == snap.publisherID else {
            throw StoreError(.forbidden, "snap \"\(name)\" belongs to another publisher")
        }
        return snap
    }
}
