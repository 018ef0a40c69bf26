import StoreCore
import StoreTestSupport
import Testing

/// Many publishers' clients at once on the same snap: every upload gets its own revision number and
/// every release stays in the channel map (each change reads the map and writes it back whole).
@Suite struct ConcurrentWriterTests {
    @Test(arguments: CatalogueEngine.available) func parallelUploadsGetDistinctRevisionsAndKeepTheirReleases(
        _ engine: CatalogueEngine
    ) async throws {
        let fixture = try await StoreFixture.make(engine: engine)
        defer { fixture.cleanUp() }
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        let snap = try await fixture.store.register(name: "hello-depot", by: acme)
        let store = fixture.store
        let blobs = try (0..<12).map { try fixture.ingest(try fixture.packSnap("hello-depot", version: "1.\($0)")) }

        let uploaded = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, blob) in blobs.enumerated() {
                group.addTask {
                    try await store.upload(blob, name: "hello-depot", release: ["edge/upload-\(index)"], by: acme)
                        .revision
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(uploaded.sorted() == Array(1...12))
        let revisions = try await store.revisions(name: "hello-depot")
        #expect(revisions.map(\.revision) == Array(1...12))
        #expect(revisions.allSatisfy { store.blobs.contains(digest: $0.sha3_384) })
        let map = try await fixture.catalogue.channelMap(snapID: snap.snapID)
        #expect(Set(map.releases.map(\.channel.branch)) == Set((0..<12).map { "upload-\($0)" }))
    }

    @Test(arguments: CatalogueEngine.available) func parallelReleasesAreAllKept(_ engine: CatalogueEngine) async throws
    {
        let fixture = try await StoreFixture.make(engine: engine)
        defer { fixture.cleanUp() }
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        let snap = try await fixture.store.register(name: "hello-depot", by: acme)
        let store = fixture.store
        _ = try await store.upload(
            try fixture.ingest(try fixture.packSnap("hello-depot")), name: "hello-depot", release: ["edge"], by: acme)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for branch in 0..<16 {
                group.addTask {
                    _ = try await store.release(
                        name: "hello-depot", revision: 1, channels: ["stable/release-\(branch)"], by: acme)
                }
            }
            try await group.waitForAll()
        }
        let map = try await fixture.catalogue.channelMap(snapID: snap.snapID)
        let branches = Set(map.releases.map(\.channel.branch))
        let expected = Set([""] + (0..<16).map { "release-\($0)" })
        #expect(branches == expected, "lost: \(expected.subtracting(branches).sorted())")
    }
}
