import Foundation
import Hummingbird
import StoreCore

/// Snap downloads at the URL snap-action results give: GET and HEAD, `Range: bytes=a-b | a- | -n`
/// (206 with Content-Range; 416 with `bytes */size` when unsatisfiable), an ETag of the snap's
/// SHA3-384 with If-None-Match, streamed from disk in chunks.
struct DownloadRoutes {
    let store: SnapStore

    func add(to router: Router<BasicRequestContext>) {
        let files = FileIO()
        for method in [HTTPRequest.Method.get, .head] {
            router.on("api/v1/snaps/download/{file}", method: method) { request, context in
                let file = try context.parameters.require("file")
                guard file.hasSuffix(".snap"), let underscore = file.lastIndex(of: "_"),
                    let revisionNumber = Int(file[file.index(after: underscore)...].dropLast(5))
                else { throw APIError(.notFound, code: "not-found", "no such download") }
                let snapID = String(file[..<underscore])
                guard let revision = try await store.catalogue.revision(snapID: snapID, revision: revisionNumber) else {
                    throw APIError(.notFound, code: "not-found", "no such download")
                }
                let path = store.blobs.path(forDigest: revision.sha3_384)
                let size = Int(revision.size)
                let etag = "\"\(revision.sha3_384)\""
                var headers: HTTPFields = [
                    .acceptRanges: "bytes", .eTag: etag, .contentType: "application/octet-stream",
                ]
                if request.headers[.ifNoneMatch] == etag {
                    return Response(status: .notModified, headers: headers)
                }
                var range = 0...max(0, size - 1)
                var status = HTTPResponse.Status.ok
                if let header = request.headers[.range] {
                    switch ByteRange.parse(header, size: size) {
                    case .whole: break
                    case .part(let part):
                        range = part
                        status = .partialContent
                        headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound)/\(size)"
                    case .unsatisfiable:
                        return Response(
                            status: .rangeNotSatisfiable,
                            headers: [.contentRange: "bytes */\(size)", .acceptRanges: "bytes"])
                    }
                }
                headers[.contentLength] = String(size == 0 ? 0 : range.count)
                if request.method == .head || size == 0 {
                    return Response(status: status, headers: headers)
                }
                let body = try await files.loadFile(path: path, range: range, context: context)
                return Response(status: status, headers: headers, body: body)
            }
        }
    }
}

/// One `Range: bytes=…` header against a file of `size` bytes. Several ranges get the whole file,
/// which HTTP allows.
enum ByteRange: Equatable {
    case whole
    case part(ClosedRange<Int>)
    case unsatisfiable

    static func parse(_ header: String, size: Int) -> ByteRange {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return .whole }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        let parts = spec.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .whole }
        if parts[0].isEmpty {
            guard let suffix = Int(parts[1]), suffix > 0 else { return .unsatisfiable }
            guard size > 0 else { return .unsatisfiable }
            return .part(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int(parts[0]), start >= 0 else { return .whole }
        guard start < size else { return .unsatisfiable }
        let end = parts[1].isEmpty ? size - 1 : min(Int(parts[1]) ?? (size - 1), size - 1)
        guard end >= start else { return .unsatisfiable }
        return .part(start...end)
    }
}
