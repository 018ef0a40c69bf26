import Hummingbird
import StoreCore

/// Streams a request body into the blob store: written and hashed chunk by chunk, never held
/// whole in memory; a failure or an oversized body leaves nothing behind.
enum Upload {
    static func receive(_ request: Request, into store: SnapStore) async throws -> IngestedBlob {
        if let length = request.headers[.contentLength].flatMap({ UInt64($0) }), length > store.uploadLimit {
            throw StoreError(
                .tooLarge, "the upload of \(length) bytes is larger than the store's limit of \(store.uploadLimit)")
        }
        let writer = try store.blobs.makeWriter(limit: store.uploadLimit)
        do {
            for try await buffer in request.body {
                try buffer.withUnsafeReadableBytes { try writer.write($0) }
            }
            guard writer.size > 0 else { throw StoreError(.invalid, "the upload is empty") }
            return try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
    }
}
