import Foundation
import Hummingbird
import StoreCore
import StoreProtocol

/// The v1 dialect (`/v1/snap...`, `/v1/tokens/...`): snapcraft's on-prem mode, craft-store's
/// `BaseClient` helpers and its `PublisherGateway` (craft-store's `publisher/_publishergw.py`).
struct PublisherV1Routes {
    let store: SnapStore
    let uploads: PendingUploads

    func add(to router: Router<StoreRequestContext>) {
        let api = router.group("v1").add(middleware: PublisherAuthenticator(store: store))
        api.post("tokens/offline/exchange", use: exchange)
        api.get("tokens/whoami", use: whoami)
        api.post("snap", use: register)
        api.get("snap", use: registeredNames)
        api.get("snap/{name}", use: registeredName)
        api.delete("snap/{name}", use: unregister)
        api.post("snap/{name}/revisions", use: notifyUpload)
        api.get("snap/{name}/revisions/review", use: review)
        api.get("snap/{name}/revisions", use: revisions)
        api.post("snap/{name}/releases", use: release)
        api.get("snap/{name}/releases", use: releases)
        api.post("snap/{name}/tracks", use: createTracks)
    }

    @Sendable func exchange(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(PublisherViews.Macaroon.self, from: request)
        return try JSONBody.response(PublisherViews.Macaroon(macaroon: try await store.exchange(token: body.macaroon)))
    }

    @Sendable func whoami(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try JSONBody.response(
            try await SnapcraftDashboardRoutes.WhoAmI.of(try context.requirePrincipal(), store: store))
    }

    struct NewName: Decodable {
        let name: String
        let isPrivate: Bool?

        enum CodingKeys: String, CodingKey {
            case name
            case isPrivate = "private"
        }
    }

    struct Identified: Encodable {
        let id: String
    }

    @Sendable func register(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(NewName.self, from: request)
        let snap = try await store.register(name: body.name, isPrivate: body.isPrivate ?? false, by: principal)
        return try JSONBody.response(Identified(id: snap.snapID))
    }

    struct Results<Item: Encodable>: Encodable {
        let results: [Item]
    }

    @Sendable func registeredNames(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let owned = try await store.ownedSnaps(by: try context.requirePrincipal())
        return try JSONBody.response(Results(results: owned.map(PublisherViews.RegisteredName.init)))
    }

    struct Metadata: Encodable {
        let metadata: PublisherViews.RegisteredName
    }

    @Sendable func registeredName(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let dossier = try await store.ownedSnap(
            named: try context.parameters.require("name"), by: try context.requirePrincipal())
        return try JSONBody.response(Metadata(metadata: .init(dossier)))
    }

    struct Unregistered: Encodable {
        let packageID: String

        enum CodingKeys: String, CodingKey {
            case packageID = "package-id"
        }
    }

    @Sendable func unregister(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let snap = try await store.unregister(
            name: try context.parameters.require("name"), by: try context.requirePrincipal())
        return try JSONBody.response(Unregistered(packageID: snap.snapID))
    }

    struct UploadNotice: Decodable {
        let uploadID: String

        enum CodingKeys: String, CodingKey {
            case uploadID = "upload-id"
        }
    }

    struct StatusURL: Encodable {
        let statusURL: String

        enum CodingKeys: String, CodingKey {
            case statusURL = "status-url"
        }
    }

    @Sendable func notifyUpload(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let name = try context.parameters.require("name")
        let snap = try await store.ownedSnap(named: name, by: principal).snap
        let body = try await JSONBody.decode(UploadNotice.self, from: request)
        try await uploads.review(body.uploadID, name: name, snap: snap, channels: [], store: store, by: principal)
        return try JSONBody.response(
            StatusURL(statusURL: "/v1/snap/\(name)/revisions/review?upload-id=\(body.uploadID)"))
    }

    struct Review: Encodable {
        struct Outcome: Encodable {
            struct Problem: Encodable {
                let code = "review-error"
                let message: String
            }

            let status: String
            let revision: Nullable<Int>
            let errors: [Problem]
        }

        let revisions: [Outcome]
    }

    @Sendable func review(_ request: Request, context: StoreRequestContext) async throws -> Response {
        _ = try context.requirePrincipal()
        guard let uploadID = request.uri.queryParameters.get("upload-id"), let review = await uploads.review(uploadID)
        else { throw StoreError(.notFound, "no such upload") }
        return try JSONBody.response(
            Review(revisions: [
                .init(
                    status: review.errors.isEmpty ? "approved" : "rejected", revision: Nullable(review.revision),
                    errors: review.errors.map { .init(message: $0) })
            ]))
    }

    struct Revisions: Encodable {
        let revisions: [PublisherViews.Revision]
    }

    @Sendable func revisions(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let dossier = try await store.ownedSnap(
            named: try context.parameters.require("name"), by: try context.requirePrincipal())
        return try JSONBody.response(Revisions(revisions: dossier.revisions.reversed().map { .init($0) }))
    }

    /// One entry of craft-store's release request: a null revision closes the channel.
    struct ReleaseRequest: Codable {
        let channel: String
        let revision: Int?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(channel, forKey: .channel)
            try container.encode(Nullable(revision), forKey: .revision)
        }
    }

    struct Released: Encodable {
        let released: [ReleaseRequest]
    }

    @Sendable func release(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let name = try context.parameters.require("name")
        try await store.requirePublishesName(name, by: principal)
        let requests = try await JSONBody.decode([ReleaseRequest].self, from: request)
        for item in requests {
            if let revision = item.revision {
                _ = try await store.release(name: name, revision: revision, channels: [item.channel], by: principal)
            } else {
                _ = try await store.close(name: name, channels: [item.channel], by: principal)
            }
        }
        return try JSONBody.response(Released(released: requests))
    }

    /// craft-store's `ChannelMapResponseModel` of the gateway.
    struct ReleasesAnswer: Encodable {
        struct Package: Encodable {
            let channels: [PublisherViews.ChannelDescription]
        }

        let channelMap: [PublisherViews.ChannelMapEntry]
        let package: Package
        let revisions: [PublisherViews.Revision]

        enum CodingKeys: String, CodingKey {
            case channelMap = "channel-map"
            case package, revisions
        }
    }

    @Sendable func releases(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let dossier = try await store.ownedSnap(
            named: try context.parameters.require("name"), by: try context.requirePrincipal())
        let revisions = PublisherViews.releasedRevisions(dossier)
        return try JSONBody.response(
            ReleasesAnswer(
                channelMap: dossier.channelMap.releases.map { .init($0, publisherGateway: true) },
                package: .init(channels: PublisherViews.ChannelDescription.all(dossier.channelMap)),
                revisions: revisions.map { .init($0, createdBy: dossier.snap.publisherID) }))
    }

    struct NewTrack: Decodable {
        let name: String
    }

    struct TracksCreated: Encodable {
        let numTracksCreated: Int

        enum CodingKeys: String, CodingKey {
            case numTracksCreated = "num-tracks-created"
        }
    }

    @Sendable func createTracks(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let name = try context.parameters.require("name")
        let before = try await store.ownedSnap(named: name, by: principal).channelMap.tracks.count
        let tracks = try await JSONBody.decode([NewTrack].self, from: request).map(\.name)
        let map = try await store.configureTracks(name: name, add: tracks, defaultTrack: nil, by: principal)
        return try JSONBody.response(TracksCreated(numTracksCreated: map.tracks.count - before))
    }
}
