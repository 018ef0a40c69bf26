import Foundation
import StoreCore

/// Uploads waiting for their `snap-push` notification, and what became of notified ones, by
/// upload id. Kept in memory: a restart forgets pending uploads (their files are swept at start).
actor PendingUploads {
    struct Review: Sendable {
        let snapName: String
        let snapID: String
        let revision: Int?
        let errors: [String]
    }

    private var blobs: [String: IngestedBlob] = [:]
    private var reviews: [String: Review] = [:]

    func add(_ blob: IngestedBlob) -> String {
        let id = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        blobs[id] = blob
        return id
    }

    func review(_ id: String) -> Review? {
        reviews[id]
    }

    /// Takes a notified upload through the store's upload path and keeps the outcome for polling;
    /// a snap the store refuses is a review with errors, as snapcraft expects, not a failed call.
    func review(
        _ uploadID: String, name: String, snap: SnapRecord, channels: [String], store: SnapStore,
        by principal: Principal
    ) async throws {
        guard let blob = blobs.removeValue(forKey: uploadID) else {
            throw StoreError(.notFound, "no pending upload \(uploadID); upload the file to /unscanned-upload/ first")
        }
        do {
            let record = try await store.upload(blob, name: name, store: snap.store, release: channels, by: principal)
            reviews[uploadID] = Review(snapName: name, snapID: snap.snapID, revision: record.revision, errors: [])
        } catch let error as StoreError where error.kind == .invalid || error.kind == .conflict {
            reviews[uploadID] = Review(snapName: name, snapID: snap.snapID, revision: nil, errors: [error.message])
        }
    }
}
