import Assertions
import Foundation
import Hummingbird
import StoreCore

/// snapd's device API (`../shared/docs/snapd-wire-protocol.md` §3): snap actions, info, find,
/// cohorts, sections, names, and device sessions.
struct DeviceRoutes {
    let store: SnapStore

    func add(to router: Router<BasicRequestContext>) {
        router.post("v2/snaps/refresh") { request, _ in
            let device = try await DeviceRequest.identity(request, store: store)
            var request = request
            let body = try await request.collectBody(upTo: 4 << 20)
            let action: SnapActionRequest
            do {
                action = try WireJSON.decoder.decode(SnapActionRequest.self, from: Data(buffer: body))
            } catch let error as DecodingError {
                throw APIError(
                    .badRequest, code: "invalid-request",
                    "the snap action is not valid JSON of the expected shape: \(APIError.describe(error))")
            } catch {
                throw APIError(.badRequest, code: "invalid-request", "the snap action is not valid JSON")
            }
            let results = try await store.snapAction(action, device: device)
            return try PublisherJSON.response(["results": try await render(results, request: request)])
        }
        router.get("v2/snaps/info/{name}") { request, context in
            let device = try await DeviceRequest.identity(request, store: store)
            let name = try context.parameters.require("name")
            guard let dossier = try await store.visibleSnap(named: name, device: device) else {
                throw APIError(.notFound, code: "snap-not-found", "No snap named '\(name)' found")
            }
            let snap = dossier.snap
            let map = dossier.channelMap
            let revisions = Dictionary(dossier.revisions.map { ($0.revision, $0) }, uniquingKeysWith: { a, _ in a })
            let publisher = dossier.publisher
            let listing = dossier.listing
            let now = Int64(Date().timeIntervalSince1970)
            let wanted = request.uri.queryParameters.get("architecture")
            var channelMap: [[String: Any]] = []
            for release in map.releases where release.progressive == nil && (release.expiresAt ?? .max) > now {
                guard let revision = revisions[release.revision],
                    wanted == nil || release.architecture == wanted || release.architecture == "all"
                else { continue }
                var entry = StoreSnapView.snap(
                    snap, revision: revision, publisher: publisher, listing: listing,
                    baseURL: DeviceRequest.baseURL(request))
                entry["channel"] = [
                    "architecture": release.architecture == "all"
                        ? (wanted ?? device.architecture) : release.architecture,
                    "name": release.channel.name, "risk": release.channel.risk.rawValue, "track": release.channel.track,
                    "released-at": PublisherJSON.time(release.releasedAt),
                ]
                channelMap.append(entry)
            }
            guard !channelMap.isEmpty else {
                throw APIError(.notFound, code: "snap-not-found", "\(name) has no open channels")
            }
            return try PublisherJSON.response([
                "name": snap.name, "snap-id": snap.snapID, "channel-map": channelMap,
                "snap": [
                    "name": snap.name, "snap-id": snap.snapID, "summary": listing.summary ?? "",
                    "description": listing.description ?? "", "title": listing.title ?? snap.name,
                    "license": listing.license ?? "",
                    "publisher": [
                        "id": snap.publisherID, "username": publisher?.username ?? snap.publisherID,
                        "display-name": publisher?.displayName ?? snap.publisherID,
                        "validation": publisher?.validation ?? "unproven",
                    ],
                    "media": [Any](),
                ],
            ])
        }
        router.get("v2/snaps/find") { request, _ in
            let device = try await DeviceRequest.identity(request, store: store)
            let query = request.uri.queryParameters
            let found = try await find(query: query.get("q"), name: query.get("name"), device: device, request: request)
            // snapd compares the content type exactly.
            let data = try JSONObjectWriter.data(["results": found])
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.post("v2/cohorts") { request, _ in
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any],
                let names = object["snaps"] as? [String]
            else { throw APIError(.badRequest, code: "invalid-request", "expected {\"snaps\": [names]}") }
            var keys: [String: String] = [:]
            for name in names where try await store.catalogue.snap(name: name, store: nil) != nil {
                keys[name] = Data(Array("cohort:\(name):\(UUIDText.make())".utf8)).base64EncodedString()
            }
            guard !keys.isEmpty else { throw APIError(.notFound, code: "snap-not-found", "none of these snaps exist") }
            return try PublisherJSON.response(["cohort-keys": keys])
        }
        router.get("api/v1/snaps/sections") { _, _ in
            let body: [String: Any] = [
                "_embedded": ["clickindex:sections": [["name": "featured"], ["name": "devices-and-iot"]]]
            ]
            let data = try JSONObjectWriter.data(body)
            return Response(
                status: .ok, headers: [.contentType: "application/hal+json"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.get("api/v1/snaps/names") { request, _ in
            let device = try await DeviceRequest.identity(request, store: store)
            let packages = try await find(query: nil, name: nil, device: device, request: request).map {
                item -> [String: Any] in
                [
                    "package_name": item["name"] ?? "", "version": (item["snap"] as? [String: Any])?["version"] ?? "",
                    "summary": "", "aliases": [Any](), "apps": [Any](),
                ]
            }
            let data = try JSONSerialization.data(
                withJSONObject: ["_embedded": ["clickindex:package": packages]], options: [])
            return Response(
                status: .ok, headers: [.contentType: "application/hal+json"],
                body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        router.post("api/v1/snaps/auth/nonces") { _, _ in
            try PublisherJSON.response(["nonce": await store.issueNonce()])
        }
        router.post("api/v1/snaps/auth/sessions") { request, _ in
            let body = try await PublisherJSON.object(request)
            let token = try await store.openDeviceSession(
                request: try PublisherJSON.string(body, "device-session-request"),
                serial: try PublisherJSON.string(body, "serial-assertion"),
                model: try PublisherJSON.string(body, "model-assertion"))
            return try PublisherJSON.response(["macaroon": token])
        }
    }

    /// Snaps whose name or listing matches, with their stable revision for this architecture.
    func find(query: String?, name: String?, device: DeviceIdentity, request: Request) async throws -> [[String: Any]] {
        let all = try await store.catalogue.allSnaps()
        var results: [[String: Any]] = []
        for snap in all where !snap.isPrivate && (snap.store == nil || snap.store == device.storeID) {
            if let name {
                let matches = name.hasSuffix("*") ? snap.name.hasPrefix(String(name.dropLast())) : snap.name == name
                if !matches { continue }
            }
            let listing = try await store.catalogue.snapListing(snapID: snap.snapID)
            if let query, !query.isEmpty {
                let haystack = [snap.name, listing.title ?? "", listing.summary ?? "", listing.description ?? ""]
                    .joined(separator: " ").lowercased()
                guard query.lowercased().split(separator: " ").allSatisfy({ haystack.contains($0) }) else { continue }
            }
            let map = try await store.catalogue.channelMap(snapID: snap.snapID)
            guard
                let resolved = map.resolve(
                    ChannelRequest(track: nil, risk: .stable), architecture: device.architecture, bucket: nil,
                    at: Int64(Date().timeIntervalSince1970)),
                let revision = try await store.catalogue.revision(snapID: snap.snapID, revision: resolved.revision)
            else { continue }
            let publisher = try await store.catalogue.account(id: snap.publisherID)
            results.append([
                "name": snap.name, "snap-id": snap.snapID,
                "snap": StoreSnapView.snap(
                    snap, revision: revision, publisher: publisher, listing: listing,
                    baseURL: DeviceRequest.baseURL(request)),
            ])
        }
        return results
    }

    func render(_ results: [SnapActionResult], request: Request) async throws -> [[String: Any]] {
        var rendered: [[String: Any]] = []
        for result in results {
            switch result {
            case .snap(let kind, let instanceKey, let dossier, let revision, let effectiveChannel, let redirectChannel):
                let snap = dossier.snap
                rendered.append([
                    "result": kind, "instance-key": instanceKey, "snap-id": snap.snapID, "name": snap.name,
                    "effective-channel": effectiveChannel, "redirect-channel": redirectChannel ?? "",
                    "snap": StoreSnapView.snap(
                        snap, revision: revision, publisher: dossier.publisher, listing: dossier.listing,
                        baseURL: DeviceRequest.baseURL(request)),
                ])
            case .error(let instanceKey, let name, let snapID, let code, let message, let releases):
                var error: [String: Any] = ["code": code, "message": message]
                if !releases.isEmpty {
                    error["extra"] = [
                        "releases": releases.map { ["architecture": $0.architecture, "channel": $0.channel] }
                    ]
                }
                rendered.append([
                    "result": "error", "instance-key": instanceKey, "name": name, "snap-id": snapID, "error": error,
                ])
            case .assertions(let key, let paths, let missing):
                var item: [String: Any] = [
                    "result": "fetch-assertions", "key": key,
                    "assertion-stream-urls": paths.map { "\(DeviceRequest.baseURL(request))/v2/assertions/\($0)" },
                ]
                if !missing.isEmpty {
                    item["error-list"] = missing.map { entry -> [String: Any] in
                        var error: [String: Any] = [
                            "code": "not-found", "message": "\(entry.type) not found", "type": entry.type,
                        ]
                        if let key = entry.primaryKey { error["primary-key"] = key }
                        if let key = entry.sequenceKey { error["sequence-key"] = key }
                        return error
                    }
                }
                rendered.append(item)
            }
        }
        return rendered
    }
}
