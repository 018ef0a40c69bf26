import Foundation
import StoreCore
import StorePersistence
import StoreTestSupport
import Testing

/// Two stores on one PostgreSQL database and one blob folder, as two `serve --database` replicas
/// behind one address: uploads, releases and serial numbers stay correct when both write the same
/// snap or model at once, because the order SnapStore keeps within a process is kept across them
/// (an advisory lock per snap; SERIALIZABLE writes).
@Suite(
    .enabled(
        if: PostgresTestDatabase.server != nil,
        "needs PostgreSQL: run scripts/test (as root) or set SNAPDEPOT_TEST_POSTGRES"))
struct ReplicaTests {
    @Test func uploadsOnTwoReplicasGetDistinctRevisionsAndKeepTheirReleases() async throws {
        let fixture = try await StoreFixture.make(engine: .postgres)
        defer { fixture.cleanUp() }
        let replica = try await fixture.replica()
        defer { fixture.close(replica) }
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        let snap = try await fixture.store.register(name: "hello-depot", by: acme)
        let blobs = try (0..<12).map { try fixture.ingest(try fixture.packSnap("hello-depot", version: "1.\($0)")) }
        let stores = [fixture.store, replica]

        let uploaded = try await withThrowingTaskGroup(of: Int.self) { group in
            for (index, blob) in blobs.enumerated() {
                let store = stores[index % 2]
                group.addTask {
                    try await store.upload(blob, name: "hello-depot", release: ["edge/upload-\(index)"], by: acme)
                        .revision
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(uploaded.sorted() == Array(1...12))
        for store in stores {
            #expect(try await store.revisions(name: "hello-depot").map(\.revision) == Array(1...12))
            let map = try await store.catalogue.channelMap(snapID: snap.snapID)
            #expect(Set(map.releases.map(\.channel.branch)) == Set((0..<12).map { "upload-\($0)" }))
        }
    }

    @Test func releasesOnTwoReplicasAreAllKept() async throws {
        let fixture = try await StoreFixture.make(engine: .postgres)
        defer { fixture.cleanUp() }
        let replica = try await fixture.replica()
        defer { fixture.close(replica) }
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        let snap = try await fixture.store.register(name: "hello-depot", by: acme)
        _ = try await fixture.store.upload(
            try fixture.ingest(try fixture.packSnap("hello-depot")), name: "hello-depot", release: ["edge"], by: acme)
        let stores = [fixture.store, replica]
        try await withThrowingTaskGroup(of: Void.self) { group in
            for branch in 0..<16 {
                let store = stores[branch % 2]
                group.addTask {
                    _ = try await store.release(
                        name: "hello-depot", revision: 1, channels: ["stable/release-\(branch)"], by: acme)
                }
            }
            try await group.waitForAll()
        }
        let expected = Set([""] + (0..<16).map { "release-\($0)" })
        for store in stores {
            let branches = Set(try await store.catalogue.channelMap(snapID: snap.snapID).releases.map(\.channel.branch))
            #expect(branches == expected, "lost: \(expected.subtracting(branches).sorted())")
        }
        #expect(try await replica.catalogue.releaseHistory(snapID: snap.snapID).count == 17)
    }

    @Test func serialNumbersAreNeverHandedOutTwiceAcrossReplicas() async throws {
        let fixture = try await StoreFixture.make(engine: .postgres)
        defer { fixture.cleanUp() }
        let replica = try await fixture.replica()
        defer { fixture.close(replica) }
        let catalogues = [fixture.catalogue, replica.catalogue]
        let numbers = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<40 {
                let catalogue = catalogues[index % 2]
                group.addTask { try await catalogue.allocateSerialNumber(brandID: "acme-brand", model: "my-pi3") }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(numbers.sorted() == Array(1...40))
    }

    @Test func aNonceFromOneReplicaIsGoodOnceOnAnother() async throws {
        let fixture = try await StoreFixture.make(engine: .postgres)
        defer { fixture.cleanUp() }
        let replica = try await fixture.replica()
        defer { fixture.close(replica) }
        let nonce = try await fixture.store.issueNonce()
        let now = Int64(Date().timeIntervalSince1970)
        #expect(try await replica.catalogue.consumeNonce(nonce, now: now))
        #expect(try await !fixture.catalogue.consumeNonce(nonce, now: now), "a nonce is good once")
        #expect(try await !replica.catalogue.consumeNonce("never-issued", now: now))
        let stale = try await replica.issueNonce()
        let later = Int64(Date().timeIntervalSince1970) + 301
        #expect(try await !fixture.catalogue.consumeNonce(stale, now: later), "a nonce lasts five minutes")
    }

    /// A replica's start-up recovery must not take another replica's upload in progress for a
    /// leftover of a crash: on a shared folder only files untouched for an hour are cleared.
    @Test func aStartingReplicaLeavesAnotherOnesUploadInProgress() async throws {
        let fixture = try await StoreFixture.make(engine: .postgres)
        defer { fixture.cleanUp() }
        let inProgress = fixture.directory.blobsPath + "/tmp/upload-in-progress"
        try Data(repeating: 7, count: 4096).write(to: URL(fileURLWithPath: inProgress))
        let replica = try await fixture.replica()
        defer { fixture.close(replica) }
        #expect(fixture.temporaryUploads == ["upload-in-progress"])
    }

    /// A replica keeps the dossiers it read (snap, revisions, channel map, deltas, publisher) while
    /// their snap's generation stands; every change on the other replica moves it, so the next read
    /// answers what the database holds.
    @Test func aReplicasKeptDossiersFollowTheOtherReplicasChanges() async throws {
        let fixture = try await StoreFixture.make(engine: .postgres)
        defer { fixture.cleanUp() }
        let replica = try await fixture.replica()
        defer { fixture.close(replica) }
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        let snap = try await fixture.store.register(name: "hello-depot", by: acme)
        _ = try await fixture.store.upload(
            try fixture.ingest(try fixture.packSnap("hello-depot", version: "1.0")), name: "hello-depot",
            release: ["stable"], by: acme)
        func seen() async throws -> (stable: Int?, revisions: Int, summary: String?) {
            let dossier = try #require(try await replica.catalogue.dossiers(snapIDs: [snap.snapID])[snap.snapID])
            return (
                dossier.channelMap.releases.first { $0.channel.risk == .stable }?.revision, dossier.revisions.count,
                dossier.listing.summary
            )
        }
        #expect(try await seen() == (1, 1, nil))
        // Read twice: the second answer comes from what the replica kept, and is the same.
        #expect(try await seen() == (1, 1, nil))

        _ = try await fixture.store.upload(
            try fixture.ingest(try fixture.packSnap("hello-depot", version: "2.0")), name: "hello-depot",
            release: ["stable"], by: acme)
        #expect(try await seen() == (2, 2, nil))
        _ = try await fixture.store.release(name: "hello-depot", revision: 1, channels: ["stable"], by: acme)
        #expect(try await seen() == (1, 2, nil))
        try await fixture.store.catalogue.setSnapListing(snapID: snap.snapID, SnapListing(summary: "kept fresh"))
        #expect(try await seen() == (1, 2, "kept fresh"))
    }
}
