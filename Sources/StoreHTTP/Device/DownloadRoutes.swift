import Foundation
import Hummingbird
import StoreCore

/// Snap downloads at the URL snap-action results give: GET and HEAD, `Range: bytes=a-b | a- | -n`
/// (206 with Content-Range; 416 with `bytes */size` when unsatisfiable), an ETag of the snap's
/// SHA3-384 with If-None-Match. A brand store's snap is served to that store's devices only, as
/// every other device answer is. Served by `StoreServer.run`, the bytes go by sendfile
/// (`FileRegionWriter`); in process (the router's tests), and when a fault spoils them, they are
/// read from disk in chunks.
struct DownloadRoutes {
    let store: SnapStore
    let fileRegions: Bool
    let files = FileIO()

    func add(to router: Router<StoreRequestContext>) {
        let device = router.group().add(middleware: DeviceAuthenticator(store: store, lenient: true))
        device.get("api/v1/snaps/download/{file}", use: download)
        device.head("api/v1/snaps/download/{file}", use: download)
    }

    @Sendable func download(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let file = try context.parameters.require("file")
        guard file.hasSuffix(".snap"), let underscore = file.lastIndex(of: "_"),
            let revisionNumber = Int(file[file.index(after: underscore)...].dropLast(5)),
            let revision = try await store.download(
                snapID: String(file[..<underscore]), revision: revisionNumber, device: try context.requireDevice(),
                recording: request.method == .get)
        else { throw APIError(.notFound, code: "not-found", "no such download") }
        let fault =
            request.method == .get
            ? try await store.firingFault(
                .download, snapID: revision.snapID, revision: revision.revision, device: try context.requireDevice())
            : nil
        try await fault?.spoilBefore(request, context: context)
        let path = store.blobs.path(forDigest: revision.sha3_384)
        let size = Int(revision.size)
        let etag = "\"\(revision.sha3_384)\""
        var headers: HTTPFields = [.acceptRanges: "bytes", .eTag: etag, .contentType: "application/octet-stream"]
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
                    status: .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(size)", .acceptRanges: "bytes"])
            }
        }
        headers[.contentLength] = String(size == 0 ? 0 : range.count)
        if request.method == .head || size == 0 {
            return Response(status: status, headers: headers)
        }
        if fault == nil, fileRegions {
            return Response(
                status: status, headers: headers,
                body: ResponseBody { [range, channel = context.channel] in
                    try await FileRegionWriter.send(path: path, range: range, on: channel, through: &$0)
                })
        }
        let body = try await files.loadFile(path: path, range: range, context: context)
        guard let fault else { return Response(status: status, headers: headers, body: body) }
        // Corruption lands mid-file when the range holds it, else on the range's first byte.
        let middle = size / 2
        let corruptOffset = range.contains(middle) ? middle - range.lowerBound : 0
        return Response(status: status, headers: headers, body: fault.spoil(body, corruptOffset: corruptOffset))
    }
}
