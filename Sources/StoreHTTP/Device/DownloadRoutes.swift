import Foundation
import Hummingbird
import SnapFiles
import StoreCore

/// Snap downloads, and deltas between revisions, at the URLs snap-action results give: GET and
/// HEAD, `Range: bytes=a-b | a- | -n` (206 with Content-Range; 416 with `bytes */size` when
/// unsatisfiable), an ETag of the file's SHA3-384 with If-None-Match. A brand store's snap is served to that store's devices only, as
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
        guard let (snapID, revision, digest, size) = try await served(file, request: request, context: context) else {
            throw APIError(.notFound, code: "not-found", "no such download")
        }
        let fault =
            request.method == .get
            ? try await store.firingFault(
                .download, snapID: snapID, revision: revision, device: try context.requireDevice())
            : nil
        try await fault?.spoilBefore(request, context: context)
        let path = store.blobs.path(forDigest: digest)
        let etag = "\"\(digest)\""
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
            return Response(status: status, headers: headers, body: FileRegionWriter.body(path: path, range: range))
        }
        let body = try await files.loadFile(path: path, range: range, context: context)
        guard let fault else { return Response(status: status, headers: headers, body: body) }
        // Corruption lands mid-file when the range holds it, else on the range's first byte.
        let middle = size / 2
        let corruptOffset = range.contains(middle) ? middle - range.lowerBound : 0
        return Response(status: status, headers: headers, body: fault.spoil(body, corruptOffset: corruptOffset))
    }

    /// What `file` names, if this device may have it: a revision (`SNAPID_REV.snap`) or a delta
    /// to one (`SNAPID_SOURCE_TARGET.xdelta3`), which a fault on that revision spoils as well.
    private func served(_ file: String, request: Request, context: StoreRequestContext) async throws -> (
        snapID: String, revision: Int, digest: String, size: Int
    )? {
        let device = try context.requireDevice()
        let recording = request.method == .get
        if file.hasSuffix(".snap") {
            let parts = file.dropLast(5).split(separator: "_")
            guard parts.count == 2, let number = Int(parts[1]),
                let revision = try await store.download(
                    snapID: String(parts[0]), revision: number, device: device, recording: recording)
            else { return nil }
            return (revision.snapID, revision.revision, revision.sha3_384, Int(revision.size))
        }
        let suffix = "." + XDelta3.format
        guard file.hasSuffix(suffix) else { return nil }
        let parts = file.dropLast(suffix.count).split(separator: "_")
        guard parts.count == 3, let source = Int(parts[1]), let target = Int(parts[2]),
            let delta = try await store.deltaDownload(
                snapID: String(parts[0]), from: source, to: target, device: device, recording: recording),
            let digest = delta.sha3_384,
            // A delta's blob lost from the disk is a delta not there: the device falls back to the snap.
            store.blobs.contains(digest: digest)
        else { return nil }
        return (delta.snapID, target, digest, Int(delta.size))
    }
}
