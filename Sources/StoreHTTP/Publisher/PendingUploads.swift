import Foundation
import Hummingbird
import StoreCore

/// How much the anonymous upload area may hold: snapcraft sends the file to `/unscanned-upload/`
/// with no credentials (the notification that follows carries them), so whoever reaches the port
/// can fill it; these bound what they can fill.
public struct UploadAreaLimits: Sendable {
    /// Uploads waiting for their notification at once.
    public var count: Int
    /// Their bytes together.
    public var bytes: UInt64
    /// Seconds an upload waits for its notification before it is dropped.
    public var lifetime: Double

    public init(count: Int = 32, bytes: UInt64 = 8 << 30, lifetime: Double = 3600) {
        self.count = count
        self.bytes = bytes
        self.lifetime = lifetime
    }
}

/// Uploads waiting for their `snap-push` notification, and what became of notified ones, by
/// upload id. Kept in memory: a restart forgets pending uploads (their files are swept at start).
actor PendingUploads {
    struct Review: Sendable {
        let snapName: String
        let snapID: String
        let revision: Int?
        let errors: [String]
    }

    struct Pending {
        let blob: IngestedBlob
        let receivedAt: ContinuousClock.Instant
    }

    let limits: UploadAreaLimits
    let blobs: any BlobStorage
    private var pending: [String: Pending] = [:]
    private var reviews: [String: Review] = [:]

    init(limits: UploadAreaLimits, blobs: any BlobStorage) {
        self.limits = limits
        self.blobs = blobs
    }

    private var pendingBytes: UInt64 { pending.values.reduce(0) { $0 + $1.blob.size } }

    /// Refuses an upload of `expected` bytes (the Content-Length, when sent) before a byte of it
    /// is read when the area could not take it.
    func admit(expected: UInt64) throws {
        dropExpired()
        try requireRoom(for: expected)
    }

    func add(_ blob: IngestedBlob) throws -> String {
        dropExpired()
        do {
            try requireRoom(for: blob.size)
        } catch {
            blobs.discard(blob)
            throw error
        }
        let id = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        pending[id] = Pending(blob: blob, receivedAt: .now)
        return id
    }

    private func requireRoom(for size: UInt64) throws {
        guard pending.count < limits.count, pendingBytes + size <= limits.bytes else {
            throw APIError(
                HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), code: "upload-area-full",
                "the upload area is full: \(pending.count) uploads (\(pendingBytes) bytes) wait for their "
                    + "notification (at most \(limits.count), \(limits.bytes) bytes); each is dropped "
                    + "\(Int(limits.lifetime)) s after it arrived")
        }
    }

    /// Uploads never notified within the lifetime are dropped with their files.
    private func dropExpired() {
        let oldest = ContinuousClock.now - .seconds(limits.lifetime)
        for (id, upload) in pending where upload.receivedAt < oldest {
            blobs.discard(upload.blob)
            pending[id] = nil
        }
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
        dropExpired()
        guard let blob = pending.removeValue(forKey: uploadID)?.blob else {
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
