import Assertions
import Foundation
import Hummingbird
import StoreCore
import StoreProtocol

/// snapcraft's default dialect, the one it speaks to the dashboard host: Ubuntu One logins,
/// `/dev/api/...` and `/api/v2/...`, and the storage host's `/unscanned-upload/` (snapcraft's
/// `storeapi/_dashboard_api.py`, craft-store's `UbuntuOneStoreClient`). The store plays Ubuntu One
/// itself: point `UBUNTU_ONE_SSO_URL` at it.
struct SnapcraftDashboardRoutes {
    let store: SnapStore
    let uploads: PendingUploads

    func add(to router: Router<StoreRequestContext>) {
        let api = router.group().add(middleware: PublisherAuthenticator(store: store))
        api.post("dev/api/acl/", use: mintMacaroon)
        api.post("api/v2/tokens/discharge", use: discharge)
        api.post("api/v2/tokens/refresh", use: refreshDischarge)
        api.get("api/v2/tokens/whoami", use: whoami)
        api.post("dev/api/register-name/", use: registerName)
        api.get("dev/api/account", use: account)
        api.post("dev/api/account/account-key", use: registerKey)
        api.post("dev/api/snap-push/", use: push)
        api.get("dev/api/snaps/{snapID}/builds/{uploadID}/status", use: uploadStatus)
        api.post("unscanned-upload/", use: receiveUpload)
        api.post("dev/api/snap-release/", use: release)
        api.post("dev/api/snaps/{snapID}/close", use: close)
        api.get("api/v2/snaps/{name}/channel-map", use: channelMap)
        api.get("api/v2/snaps/{name}/releases", use: releases)
        api.post("dev/api/snaps/{snapID}/metadata", use: updateMetadata)
        api.put("dev/api/snaps/{snapID}/metadata", use: updateMetadata)
        api.get("dev/api/snaps/{snapID}/binary-metadata", use: binaryMetadata)
    }

    struct ACLRequest: Decodable {
        /// craft-store's `Package`: `{"series": "16", "name": N}`.
        struct Package: Decodable {
            let name: String
        }

        let permissions: [String]?
        let description: String?
        let expires: String?
        let packages: [Package]?
        let channels: [String]?
    }

    @Sendable func mintMacaroon(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(ACLRequest.self, from: request)
        let limits = try LoginLimits(
            permissionNames: body.permissions, packages: body.packages?.map(\.name), channels: body.channels)
        // The client looks for the caveat addressed to the host it knows as Ubuntu One: this one.
        let macaroon = try await store.mintRootMacaroon(
            limits: limits, description: body.description ?? "",
            expiresAt: body.expires.flatMap(WireTime.seconds), dischargeLocation: request.authorityHost)
        return try JSONBody.response(PublisherViews.Macaroon(macaroon: macaroon))
    }

    struct DischargeRequest: Decodable {
        let email: String
        let password: String
        let caveatID: String

        enum CodingKeys: String, CodingKey {
            case email, password
            case caveatID = "caveat_id"
        }
    }

    struct Discharge: Codable {
        let dischargeMacaroon: String

        enum CodingKeys: String, CodingKey {
            case dischargeMacaroon = "discharge_macaroon"
        }
    }

    @Sendable func discharge(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(DischargeRequest.self, from: request)
        let discharge = try await store.discharge(email: body.email, password: body.password, caveatID: body.caveatID)
        return try JSONBody.response(Discharge(dischargeMacaroon: discharge))
    }

    @Sendable func refreshDischarge(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let body = try await JSONBody.decode(Discharge.self, from: request)
        return try JSONBody.response(
            Discharge(dischargeMacaroon: try await store.refreshDischarge(body.dischargeMacaroon)))
    }

    /// craft-store's `AccountModel` in a whoami answer; the admin token shows as a store admin.
    struct WhoAmI: Encodable {
        struct Account: Encodable {
            let id: String
            let username: String
            let email: String
            let name: String
            let validation: String
        }

        let account: Account
        let permissions: [String]
        let channels: Nullable<[String]>
        let packages: Nullable<[String]>

        init(account: Account, limits: LoginLimits = .unlimited) {
            self.account = account
            permissions = (limits.permissions ?? Set(LoginLimits.Permission.allCases)).map(\.rawValue).sorted()
            channels = Nullable(limits.channels?.sorted())
            packages = Nullable(limits.packages?.sorted())
        }

        static func of(_ principal: Principal, store: SnapStore) async throws -> WhoAmI {
            guard let profile = try await store.profile(of: principal) else {
                return WhoAmI(
                    account: .init(
                        id: "admin", username: "admin", email: "", name: "store admin", validation: "verified"))
            }
            let account = profile.account
            return WhoAmI(
                account: .init(
                    id: account.id, username: account.username, email: profile.email ?? "",
                    name: account.displayName, validation: account.validation), limits: principal.limits)
        }
    }

    @Sendable func whoami(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try JSONBody.response(try await WhoAmI.of(try context.requirePrincipal(), store: store))
    }

    struct RegisterName: Decodable {
        let snapName: String
        let store: String?
        let isPrivate: Bool?

        enum CodingKeys: String, CodingKey {
            case snapName = "snap_name"
            case store
            case isPrivate = "is_private"
        }
    }

    struct Registered: Encodable {
        let snapID: String

        enum CodingKeys: String, CodingKey {
            case snapID = "snap_id"
        }
    }

    @Sendable func registerName(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(RegisterName.self, from: request)
        let snap = try await store.register(
            name: body.snapName, store: body.store, isPrivate: body.isPrivate ?? false, by: principal)
        return try JSONBody.response(Registered(snapID: snap.snapID), status: .created)
    }

    /// snapcraft's `Account` (`dev/api/account`): both spellings of the keys its versions read.
    struct Account: Encodable {
        struct Key: Encodable {
            let name: String
            let publicKeySHA3_384: String

            enum CodingKeys: String, CodingKey {
                case name
                case publicKeySHA3_384 = "public-key-sha3-384"
            }
        }

        struct Snap: Encodable {
            let snapID: String
            let status = "Approved"
            let isPrivate: Bool
            let since: String
            let store: String

            enum CodingKeys: String, CodingKey {
                case snapID = "snap-id"
                case snapIDSnake = "snap_id"
                case status
                case isPrivate = "private"
                case since, store
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(snapID, forKey: .snapID)
                try container.encode(snapID, forKey: .snapIDSnake)
                try container.encode(status, forKey: .status)
                try container.encode(isPrivate, forKey: .isPrivate)
                try container.encode(since, forKey: .since)
                try container.encode(store, forKey: .store)
            }
        }

        let accountID: String
        let username: String
        let email: String
        let keys: [Key]
        let snaps: [String: [String: Snap]]

        enum CodingKeys: String, CodingKey {
            case accountID = "account_id"
            case id, username, email
            case keysSnake = "account_keys"
            case keys = "account-keys"
            case snaps
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(accountID, forKey: .accountID)
            try container.encode(accountID, forKey: .id)
            try container.encode(username, forKey: .username)
            try container.encode(email, forKey: .email)
            try container.encode(keys, forKey: .keysSnake)
            try container.encode(keys, forKey: .keys)
            try container.encode(snaps, forKey: .snaps)
        }
    }

    @Sendable func account(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let profile = try await store.profile(of: principal) else {
            throw StoreError(.invalid, "the admin token has no account; use a publisher's login")
        }
        var snaps: [String: Account.Snap] = [:]
        for dossier in try await store.ownedSnaps(by: principal) {
            let snap = dossier.snap
            snaps[snap.name] = .init(
                snapID: snap.snapID, isPrivate: snap.isPrivate, since: WireTime.string(snap.createdAt),
                store: snap.store ?? "Global")
        }
        return try JSONBody.response(
            Account(
                accountID: profile.account.id, username: profile.account.username, email: profile.email ?? "",
                keys: profile.keys.map {
                    .init(name: $0.string("name"), publicKeySHA3_384: $0.string("public-key-sha3-384"))
                }, snaps: ["16": snaps]))
    }

    /// snapcraft's `register-key`: `{"account_key_request": ASSERTION}`, answered with the
    /// `account-key` the store signed.
    struct KeyRegistration: Codable {
        var accountKeyRequest: String?
        var accountKey: String?

        enum CodingKeys: String, CodingKey {
            case accountKeyRequest = "account_key_request"
            case accountKey = "account_key"
        }
    }

    @Sendable func registerKey(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(KeyRegistration.self, from: request)
        guard let text = body.accountKeyRequest else {
            throw StoreError(
                .invalid, "the body needs \"account_key_request\": the output of snap export-key --account")
        }
        let accountKey = try await store.registerKey(request: try Assertion.decode(text), by: principal)
        return try JSONBody.response(KeyRegistration(accountKey: accountKey.encodedText))
    }

    struct Push: Decodable {
        let name: String
        let dryRun: Bool?
        let updownID: String?
        let channels: [String]?

        enum CodingKeys: String, CodingKey {
            case name
            case dryRun = "dry_run"
            case updownID = "updown_id"
            case channels
        }
    }

    struct PushAccepted: Encodable {
        let statusDetailsURL: String

        enum CodingKeys: String, CodingKey {
            case statusDetailsURL = "status_details_url"
        }
    }

    @Sendable func push(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(Push.self, from: request)
        let snap = try await store.ownedSnap(named: body.name, by: principal).snap
        if body.dryRun == true { return try JSONBody.response(EmptyObject()) }
        guard let uploadID = body.updownID, !uploadID.isEmpty else {
            throw APIError(.badRequest, code: "invalid-request", "\"updown_id\" is required")
        }
        try await uploads.review(
            uploadID, name: body.name, snap: snap, channels: body.channels ?? [], store: store, by: principal)
        let url = "\(request.baseURL)/dev/api/snaps/\(snap.snapID)/builds/\(uploadID)/status"
        return try JSONBody.response(PushAccepted(statusDetailsURL: url), status: .accepted)
    }

    struct UploadStatus: Encodable {
        struct Message: Encodable {
            let message: String
        }

        let code: String
        let processed = true
        let revision: Nullable<Int>
        let errors: [Message]
    }

    @Sendable func uploadStatus(_ request: Request, context: StoreRequestContext) async throws -> Response {
        _ = try context.requirePrincipal()
        guard let review = await uploads.review(try context.parameters.require("uploadID")) else {
            throw StoreError(.notFound, "no such upload")
        }
        return try JSONBody.response(
            UploadStatus(
                code: review.errors.isEmpty ? "ready_to_release" : "processing_error",
                revision: Nullable(review.revision), errors: review.errors.map(UploadStatus.Message.init)))
    }

    struct UploadReceived: Encodable {
        let successful = true
        let uploadID: String

        enum CodingKeys: String, CodingKey {
            case successful
            case uploadID = "upload_id"
        }
    }

    @Sendable func receiveUpload(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let expected = request.headers[.contentLength].flatMap { UInt64($0) } ?? 0
        try await uploads.admit(expected: expected)
        let blob = try await MultipartUpload.receive(request, into: store)
        return try JSONBody.response(UploadReceived(uploadID: try await uploads.add(blob)))
    }

    struct ReleaseRequest: Decodable {
        struct Progressive: Decodable {
            let percentage: Double?
        }

        let name: String
        let revision: Int
        let channels: [String]?
        let progressive: Progressive?

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            // snapcraft sends the revision as text, older clients as a number.
            if let number = try? container.decode(Int.self, forKey: .revision) {
                revision = number
            } else if let text = try? container.decode(String.self, forKey: .revision), let number = Int(text) {
                revision = number
            } else {
                throw StoreError(.invalid, "\"revision\" must be a revision number")
            }
            channels = try container.decodeIfPresent([String].self, forKey: .channels)
            progressive = try container.decodeIfPresent(Progressive.self, forKey: .progressive)
        }

        enum CodingKeys: String, CodingKey {
            case name, revision, channels, progressive
        }
    }

    struct Released: Encodable {
        let success = true
        let openedChannels: [String]
        let channelMap: [PublisherViews.ChannelMapEntry]

        enum CodingKeys: String, CodingKey {
            case success
            case openedChannels = "opened_channels"
            case channelMap = "channel_map"
        }
    }

    @Sendable func release(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(ReleaseRequest.self, from: request)
        let channels = body.channels ?? []
        let map = try await store.release(
            name: body.name, revision: body.revision, channels: channels, progressive: body.progressive?.percentage,
            by: principal)
        return try JSONBody.response(
            Released(openedChannels: channels, channelMap: map.releases.map { .init($0) }))
    }

    struct Channels: Decodable {
        let channels: [String]?
    }

    struct Closed: Encodable {
        let closedChannels: [String]
        let channelMapTree = EmptyObject()

        enum CodingKeys: String, CodingKey {
            case closedChannels = "closed_channels"
            case channelMapTree = "channel_map_tree"
        }
    }

    @Sendable func close(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let snap = try await store.ownedSnap(id: try context.parameters.require("snapID"), by: principal).snap
        let channels = try await JSONBody.decode(Channels.self, from: request).channels ?? []
        _ = try await store.close(name: snap.name, store: snap.store, channels: channels, by: principal)
        return try JSONBody.response(Closed(closedChannels: channels))
    }

    /// craft-store's `ChannelMapModel`.
    struct ChannelMapAnswer: Encodable {
        struct RevisionSummary: Encodable {
            let revision: Int
            let version: String
            let architectures: [String]
        }

        struct Snap: Encodable {
            let name: String
            let id: String
            let isPrivate: Bool
            let defaultTrack: String
            let channels: [PublisherViews.ChannelDescription]
            let tracks: [PublisherViews.Track]

            enum CodingKeys: String, CodingKey {
                case name, id
                case isPrivate = "private"
                case defaultTrack = "default-track"
                case channels, tracks
            }
        }

        let channelMap: [PublisherViews.ChannelMapEntry]
        let revisions: [RevisionSummary]
        let snap: Snap

        enum CodingKeys: String, CodingKey {
            case channelMap = "channel-map"
            case revisions, snap
        }
    }

    @Sendable func channelMap(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let dossier = try await store.ownedSnap(
            named: try context.parameters.require("name"), by: try context.requirePrincipal())
        let map = dossier.channelMap
        return try JSONBody.response(
            ChannelMapAnswer(
                channelMap: map.releases.map { .init($0) },
                revisions: PublisherViews.releasedRevisions(dossier).map {
                    .init(revision: $0.revision, version: $0.version, architectures: $0.architectures)
                },
                snap: .init(
                    name: dossier.snap.name, id: dossier.snap.snapID, isPrivate: dossier.snap.isPrivate,
                    defaultTrack: map.defaultTrack, channels: PublisherViews.ChannelDescription.all(map),
                    tracks: PublisherViews.Track.all(map, createdAt: dossier.snap.createdAt))))
    }

    /// snapcraft's `SnapReleases`: the release history newest first, and every revision.
    struct ReleasesAnswer: Encodable {
        struct Entry: Encodable {
            let architecture: String
            let branch: Nullable<String>
            let channel: String
            let revision: Nullable<Int>
            let risk: String
            let track: String
            let when: String
            let progressive: PublisherViews.Progressive
        }

        let releases: [Entry]
        let revisions: [PublisherViews.Revision]
    }

    @Sendable func releases(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let dossier = try await store.ownedSnap(
            named: try context.parameters.require("name"), by: try context.requirePrincipal())
        let history = try await store.releaseHistory(of: dossier.snap)
        let entries = history.reversed().flatMap { event -> [ReleasesAnswer.Entry] in
            guard let channel = try? ChannelRequest.parse(event.channel).channel(defaultTrack: "latest") else {
                return []
            }
            return (event.architectures.isEmpty ? ["all"] : event.architectures).map { architecture in
                ReleasesAnswer.Entry(
                    architecture: architecture, branch: Nullable(channel.branch.isEmpty ? nil : channel.branch),
                    channel: channel.name, revision: Nullable(event.revision), risk: channel.risk.rawValue,
                    track: channel.track, when: WireTime.string(event.at),
                    progressive: .init(historical: event.percentage))
            }
        }
        return try JSONBody.response(
            ReleasesAnswer(releases: entries, revisions: dossier.revisions.reversed().map { .init($0) }))
    }

    struct Metadata: Decodable {
        let title: String?
        let summary: String?
        let description: String?
        let license: String?
    }

    @Sendable func updateMetadata(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(Metadata.self, from: request)
        try await store.updateListing(
            snapID: try context.parameters.require("snapID"), title: body.title, summary: body.summary,
            description: body.description, license: body.license, by: principal)
        return try JSONBody.response(EmptyObject())
    }

    @Sendable func binaryMetadata(_ request: Request, context: StoreRequestContext) async throws -> Response {
        _ = try await store.ownedSnap(id: try context.parameters.require("snapID"), by: try context.requirePrincipal())
        return try JSONBody.response([EmptyObject]())
    }
}
