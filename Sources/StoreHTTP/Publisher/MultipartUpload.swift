import Foundation
import Hummingbird
import StoreCore

/// Receives snapcraft's `/unscanned-upload/` body — `multipart/form-data` with one file part —
/// straight into the blob store, without holding the file in memory: the part's headers are
/// skipped, and the closing boundary is held back until the stream ends.
enum MultipartUpload {
    static func receive(_ request: Request, into store: SnapStore) async throws -> IngestedBlob {
        guard let contentType = request.headers[.contentType], contentType.hasPrefix("multipart/form-data"),
            let boundaryRange = contentType.firstRange(of: "boundary=")
        else {
            throw StoreError(.invalid, "the upload must be multipart/form-data with a boundary")
        }
        var boundary = String(contentType[boundaryRange.upperBound...])
        if let end = boundary.firstIndex(of: ";") { boundary = String(boundary[..<end]) }
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        let closing = Array("\r\n--\(boundary)".utf8)
        let writer = try store.blobs.makeWriter(limit: store.uploadLimit)
        do {
            var pending: [UInt8] = []
            var inBody = false
            for try await buffer in request.body {
                pending += buffer.readableBytesView
                if !inBody {
                    guard let headerEnd = find([0x0d, 0x0a, 0x0d, 0x0a], in: pending) else {
                        guard pending.count < 64 * 1024 else {
                            throw StoreError(.invalid, "the multipart part headers are too long")
                        }
                        continue
                    }
                    let headers = String(decoding: pending[..<headerEnd], as: UTF8.self)
                    guard headers.hasPrefix("--\(boundary)") else {
                        throw StoreError(.invalid, "the multipart body does not start with its boundary")
                    }
                    pending.removeFirst(headerEnd + 4)
                    inBody = true
                }
                // Everything but the last few bytes is file content for sure.
                let keep = closing.count + 8
                if pending.count > keep {
                    let ready = pending.count - keep
                    try pending.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<ready])) }
                    pending.removeFirst(ready)
                }
            }
            guard inBody, let end = find(closing, in: pending) else {
                throw StoreError(.invalid, "the multipart body is truncated (no closing boundary)")
            }
            try pending.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<end])) }
            guard writer.size > 0 else { throw StoreError(.invalid, "the upload is empty") }
            return try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if haystack[start..<(start + needle.count)].elementsEqual(needle) { return start }
        }
        return nil
    }
}
