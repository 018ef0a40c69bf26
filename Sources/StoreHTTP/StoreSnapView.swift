import Foundation
import StoreCore

/// The `snap` object of snap-action results and info answers (`store/details_v2.go` `storeSnap`).
enum StoreSnapView {
    static func snap(
        _ snap: SnapRecord, revision: RevisionRecord, publisher: StoreAccount?, listing: SnapListing, baseURL: String
    ) -> [String: Any] {
        var object: [String: Any] = [
            "name": snap.name, "snap-id": snap.snapID, "revision": revision.revision, "version": revision.version,
            "type": revision.type, "confinement": revision.confinement,
            "epoch": ["read": revision.epochRead, "write": revision.epochWrite],
            "architectures": revision.architectures,
            "download": [
                "url": "\(baseURL)/api/v1/snaps/download/\(snap.snapID)_\(revision.revision).snap",
                "sha3-384": revision.sha3_384, "size": revision.size, "deltas": [Any](),
            ],
            "publisher": [
                "id": snap.publisherID, "username": publisher?.username ?? snap.publisherID,
                "display-name": publisher?.displayName ?? snap.publisherID,
                "validation": publisher?.validation ?? "unproven",
            ],
            "summary": listing.summary ?? "", "description": listing.description ?? "",
            "title": listing.title ?? snap.name,
            "license": listing.license ?? "", "private": snap.isPrivate, "prices": [String: String](),
            "created-at": PublisherJSON.time(revision.createdAt), "media": [Any](), "common-ids": [Any](),
            "snap-yaml": revision.snapYAML, "contact": "", "website": "", "store-url": "",
        ]
        if !revision.base.isEmpty { object["base"] = revision.base }
        return object
    }
}
