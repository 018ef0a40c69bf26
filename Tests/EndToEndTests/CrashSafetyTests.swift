import AsyncHTTPClient
import DepotCrypto
import Foundation
import NIOCore
import StoreCore
import StorePersistence
import StoreTestSupport
import TestSupport
import Testing

/// SIGKILL in the middle of uploads: after a restart the database is sound, every revision has its
/// blob with the right digest, and no blob or temporary file is left without its row.
@Suite(.serialized) struct CrashSafetyTests {
    /// A request body that trickles out, so that the kill lands while it is being received.
    struct SlowBody: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let data: Data

        struct AsyncIterator: AsyncIteratorProtocol {
            let data: Data
            var offset = 0

            mutating func next() async throws -> ByteBuffer? {
                guard offset < data.count else { return nil }
                try await Task.sleep(for: .milliseconds(5))
                let end = Swift.min(offset + 32 * 1024, data.count)
                defer { offset = end }
                return ByteBuffer(bytes: data[offset..<end])
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(data: data) }
    }

    @Test func killedMidUploadLeavesNothingHalfWritten() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let data = fixture.folder.appendingPathComponent("served").path
        var server = try ServerProcess(data: data)
        let admin = server.adminToken
        _ = try await server.json(.POST, "/admin/v1/accounts", token: admin, ["username": "acme", "id": "acme-brand"])
        _ = try await server.json(
            .POST, "/admin/v1/snaps", token: admin, ["name": "hello-depot", "publisher": "acme-brand"])

        let quick = try (0..<2).map {
            try Data(contentsOf: URL(fileURLWithPath: try fixture.packSnap("hello-depot", version: "q\($0)")))
        }
        for body in quick {
            let reply = try await server.request(
                .POST, "/admin/v1/snaps/hello-depot/revisions", token: admin, body: body)
            #expect(reply.status == 201)
        }
        let slow = try (0..<3).map {
            try Data(
                contentsOf: URL(
                    fileURLWithPath: try fixture.packSnap("hello-depot", version: "s\($0)", payload: 1 << 20)))
        }
        let url = server.url
        let uploads = slow.map { body in
            Task {
                var request = HTTPClientRequest(url: url + "/admin/v1/snaps/hello-depot/revisions")
                request.method = .POST
                request.headers.add(name: "Authorization", value: "Bearer \(admin)")
                request.body = .stream(SlowBody(data: body), length: .known(Int64(body.count)))
                return try? await HTTPClient.shared.execute(request, timeout: .seconds(30)).status.code
            }
        }
        // Killed once the uploads are streaming into temporary files (waiting for that, not a fixed
        // time, keeps the test meaningful on a loaded machine).
        let temporary = data + "/blobs/tmp"
        for _ in 0..<200 {
            if !((try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? []).isEmpty { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        server.stop(SIGKILL)
        for upload in uploads { _ = await upload.value }
        let partial = (try? FileManager.default.contentsOfDirectory(atPath: data + "/blobs/tmp")) ?? []
        #expect(!partial.isEmpty, "the kill should have caught uploads in flight")

        server = try ServerProcess(data: data)
        defer { server.stop() }
        let catalogue = try SQLiteCatalogue(path: data + "/store.db")
        #expect(try await catalogue.integrityCheck() == "ok")
        let snap = try #require(try await catalogue.snap(name: "hello-depot", store: nil))
        let revisions = try await catalogue.revisions(snapID: snap.snapID)
        #expect(revisions.count >= 2)
        let blobs = try FileBlobStorage(root: data + "/blobs")
        for revision in revisions {
            let path = blobs.path(forDigest: revision.sha3_384)
            let (digest, size) = try Digest.ofFile(at: path, .sha3_384)
            #expect(digest.map { String(format: "%02x", $0) }.joined() == revision.sha3_384)
            #expect(size == revision.size)
        }
        var stored: Set<String> = []
        for folder in try FileManager.default.contentsOfDirectory(atPath: data + "/blobs") where folder.count == 2 {
            stored.formUnion(try FileManager.default.contentsOfDirectory(atPath: data + "/blobs/" + folder))
        }
        #expect(stored == Set(revisions.map(\.sha3_384)))
        #expect(try FileManager.default.contentsOfDirectory(atPath: data + "/blobs/tmp").isEmpty)
        // The store goes on: the next upload gets the next revision.
        let next = try await server.request(
            .POST, "/admin/v1/snaps/hello-depot/revisions", token: admin,
            body: try Data(contentsOf: URL(fileURLWithPath: try fixture.packSnap("hello-depot", version: "after"))))
        #expect(try next.json()["revision"] as? Int == (revisions.map(\.revision).max() ?? 0) + 1)
    }
}
