import Foundation
import StoreCore

/// The objects snapcraft and craft-store parse, built with exactly the keys their models accept
/// (`../shared/docs/publisher-api.md` §7): no key they require is missing, no key a strict model
/// rejects is added.
enum PublisherViews {
    static func progressive(_ release: Release) -> [String: Any] {
        [
            "paused": release.progressive.map { $0.paused as Any } ?? NSNullValue.null,
            "percentage": release.progressive.map { $0.percentage as Any } ?? NSNullValue.null,
            "current-percentage": release.progressive.map { $0.percentage as Any } ?? NSNullValue.null,
        ]
    }

    /// One `channel-map` entry; closed channels are simply absent.
    static func channelMapEntry(_ release: Release) -> [String: Any] {
        [
            "architecture": release.architecture, "channel": release.channel.name,
            "expiration-date": release.expiresAt.map { PublisherJSON.time($0) as Any } ?? NSNullValue.null,
            "progressive": progressive(release), "revision": release.revision,
            "when": PublisherJSON.time(release.releasedAt),
        ]
    }

    /// The four risks of each track, each falling back to the safer one.
    static func channels(_ map: ChannelMap) -> [[String: Any]] {
        var result: [[String: Any]] = []
        for track in map.tracks {
            var fallback: Any = NSNullValue.null
            for risk in Risk.allCases {
                let name = "\(track)/\(risk.rawValue)"
                result.append([
                    "name": name, "track": track, "risk": risk.rawValue, "branch": NSNullValue.null,
                    "fallback": fallback,
                ])
                fallback = name
            }
        }
        return result
    }

    static func tracks(_ map: ChannelMap, createdAt: Int64) -> [[String: Any]] {
        map.tracks.map { track in
            [
                "name": track, "status": track == map.defaultTrack ? "default" : "active",
                "creation-date": PublisherJSON.time(createdAt), "version-pattern": NSNullValue.null,
            ]
        }
    }

    /// A revision in snapcraft's strict `Revision` model (dashboard releases; v1 revisions).
    static func revision(_ record: RevisionRecord) -> [String: Any] {
        var item: [String: Any] = [
            "architectures": record.architectures, "confinement": record.confinement,
            "created-at": PublisherJSON.time(record.createdAt), "grade": record.grade ?? "stable",
            "revision": record.revision, "sha3-384": record.sha3_384, "size": record.size, "status": "Published",
            "version": record.version, "epoch": ["read": record.epochRead, "write": record.epochWrite],
            "attributes": [String: Any](), "build-url": NSNullValue.null,
        ]
        if !record.base.isEmpty { item["base"] = record.base }
        return item
    }

    /// A revision in craft-store's `SnapRevisionModel` (v1 releases), which needs more keys.
    static func fullRevision(_ record: RevisionRecord, publisherID: String) -> [String: Any] {
        var item = revision(record)
        item["created-by"] = publisherID
        item["type"] = record.type == "os" ? "base" : record.type
        item.removeValue(forKey: "epoch")
        item.removeValue(forKey: "attributes")
        return item
    }

    static func registeredName(_ snap: SnapRecord, publisher: StoreAccount?, map: ChannelMap) -> [String: Any] {
        [
            "id": snap.snapID, "name": snap.name, "private": snap.isPrivate, "status": "registered",
            "store": snap.store ?? "Global", "type": "snap", "default-track": map.defaultTrack,
            "publisher": [
                "id": snap.publisherID, "username": publisher?.username ?? snap.publisherID,
                "display-name": publisher?.displayName ?? snap.publisherID,
                "validation": publisher?.validation ?? "unproven",
            ],
            "tracks": map.tracks.map { ["name": $0, "created-at": PublisherJSON.time(snap.createdAt)] },
        ]
    }
}

/// JSON null for `JSONSerialization` dictionaries.
enum NSNullValue {
    static var null: Any { NSNull() }
}
