import Assertions
import Foundation
import SnapFiles
import StoreCore
import StorePersistence
import StoreProtocol
import StoreTestSupport
import TestSupport
import Testing

@Suite struct SnapStoreTests {
    @Test func theCatalogueIsSQLiteInWALMode() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let catalogue = try #require(fixture.catalogue as? SQLiteCatalogue)
        #expect(try await catalogue.journalMode() == "wal")
        #expect(try await catalogue.integrityCheck() == "ok")
        let tokenFile = try FileManager.default.attributesOfItem(atPath: fixture.directory.adminTokenPath)
        #expect((tokenFile[.posixPermissions] as? Int) == 0o600)
        let storeKey = try FileManager.default.attributesOfItem(atPath: fixture.directory.path + "/keys/store.pem")
        #expect((storeKey[.posixPermissions] as? Int) == 0o600)
        #expect(try await fixture.store.authenticate(token: fixture.adminToken) == .admin)
        #expect(try await fixture.store.authenticate(token: "sdp_wrong") == nil)
    }

    @Test(arguments: CatalogueEngine.available) func accountsAndNames(_ engine: CatalogueEngine) async throws {
        let fixture = try await StoreFixture.make(engine: engine)
        defer { fixture.cleanUp() }
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        let generated = try await fixture.store.createAccount(username: "bob", by: .admin)
        #expect(generated.id.count == 32)
        await #expect(throws: StoreError(.conflict, "username \"acme\" is taken")) {
            _ = try await fixture.store.createAccount(username: "acme", by: .admin)
        }
        await #expect(throws: StoreError.self) {
            _ = try await fixture.store.createAccount(username: "x", id: "Bad_Id", by: .admin)
        }
        await #expect(throws: StoreError(.forbidden, "this action needs the admin token")) {
            _ = try await fixture.store.createAccount(username: "eve", by: acme)
        }

        let hello = try await fixture.store.register(name: "hello-depot", by: acme)
        #expect(hello.snapID.count == 32)
        #expect(hello.publisherID == "acme-brand")
        // The well-known bases are the admin's to place: the first publisher to ask does not get them.
        await #expect(
            throws: StoreError(
                .forbidden, "\"core22\" is a well-known snap: only the admin registers it, for its publisher")
        ) { _ = try await fixture.store.register(name: "core22", by: acme) }
        await #expect(throws: StoreError(.forbidden, "only the admin fixes a snap-id")) {
            _ = try await fixture.store.register(name: "mine", snapID: String(repeating: "a", count: 32), by: acme)
        }
        let core22 = try await fixture.store.register(name: "core22", publisherID: "acme-brand", by: .admin)
        #expect(core22.snapID == "amcUKQILKXHHTlmSa7NMdnXSx02dNeeT")
        let seeded = try await fixture.store.register(
            name: "seeded", publisherID: "acme-brand", snapID: Identifiers.snapID(derivedFrom: "x/seeded"), by: .admin)
        #expect(seeded.snapID == Identifiers.snapID(derivedFrom: "x/seeded") && seeded.snapID.count == 32)
        await #expect(throws: StoreError(.conflict, "snap-id \"\(seeded.snapID)\" is already taken")) {
            _ = try await fixture.store.register(
                name: "seeded-again", publisherID: "acme-brand", snapID: seeded.snapID, by: .admin)
        }
        await #expect(throws: StoreError.self) { _ = try await fixture.store.register(name: "hello-depot", by: acme) }
        await #expect(throws: StoreError.self) { _ = try await fixture.store.register(name: "Bad", by: acme) }
        // A brand store is its brand's: nobody registers there before a model of theirs names it.
        await #expect(
            throws: StoreError(
                .forbidden,
                "the brand store \"acme-store\" is not yours: only a brand whose model names it registers there")
        ) { _ = try await fixture.store.register(name: "hello-depot", store: "acme-store", by: acme) }
        // The admin places a brand's snaps; the store keeps its own namespace, but not over another
        // publisher's global name.
        let branded = try await fixture.store.register(
            name: "hello-depot", publisherID: "acme-brand", store: "acme-store", by: .admin)
        #expect(branded.snapID != hello.snapID)
        await #expect(
            throws: StoreError(
                .conflict,
                "the name \"hello-depot\" is a global snap of another publisher: a brand store cannot shadow it")
        ) {
            _ = try await fixture.store.register(
                name: "hello-depot", publisherID: generated.id, store: "other-store", by: .admin)
        }
        let bob = Principal(role: .publisher, accountID: generated.id)
        await #expect(throws: StoreError(.forbidden, "this token cannot act for account acme-brand")) {
            _ = try await fixture.store.register(name: "other", publisherID: "acme-brand", by: bob)
        }
    }

    @Test(arguments: CatalogueEngine.available) func uploadsGetSignedMonotonicRevisions(_ engine: CatalogueEngine)
        async throws
    {
        let fixture = try await StoreFixture.make(engine: engine)
        defer { fixture.cleanUp() }
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        let snap = try await fixture.store.register(name: "hello-depot", by: acme)
        let first = try await fixture.store.upload(
            try fixture.ingest(try fixture.packSnap("hello-depot", version: "1.0")), name: "hello-depot",
            release: ["edge"], by: acme)
        let secondFile = try fixture.packSnap("hello-depot", version: "1.1")
        let second = try await fixture.store.upload(try fixture.ingest(secondFile), name: "hello-depot", by: acme)
        #expect(first.revision == 1)
        #expect(second.revision == 2)
        #expect(fixture.store.blobs.contains(digest: first.sha3_384))
        #expect(fixture.temporaryUploads.isEmpty)

        // The same file again, another snap's file, a fixed revision without the admin token.
        await #expect(throws: StoreError.self) {
            _ = try await fixture.store.upload(try fixture.ingest(secondFile), name: "hello-depot", by: acme)
        }
        await #expect(throws: StoreError(.invalid, "the snap's snap.yaml names \"other-snap\", not \"hello-depot\"")) {
            _ = try await fixture.store.upload(
                try fixture.ingest(try fixture.packSnap("other-snap")), name: "hello-depot", by: acme)
        }
        await #expect(throws: StoreError(.forbidden, "this action needs the admin token")) {
            _ = try await fixture.store.upload(
                try fixture.ingest(try fixture.packSnap("hello-depot", version: "9")), name: "hello-depot", revision: 9,
                by: acme)
        }
        let fixed = try await fixture.store.upload(
            try fixture.ingest(try fixture.packSnap("hello-depot", version: "9")), name: "hello-depot", revision: 40,
            by: .admin)
        #expect(fixed.revision == 40)
        let next = try await fixture.store.upload(
            try fixture.ingest(try fixture.packSnap("hello-depot", version: "10")), name: "hello-depot", by: acme)
        #expect(next.revision == 41)
        #expect(fixture.temporaryUploads.isEmpty)

        // The store's chain verifies: store key, publisher account, declaration, every revision.
        var database = try TrustDatabase(trusted: fixture.store.identity.trusted)
        var chain = [fixture.store.identity.storeAccountKey]
        chain += try await fixture.catalogue.assertions(ofType: .account).filter {
            $0.string("account-id") != fixture.store.identity.authorityID
        }
        chain.append(
            try #require(
                try await fixture.catalogue.assertion(AssertionReference(.snapDeclaration, ["16", snap.snapID]))))
        chain += try await fixture.catalogue.assertions(ofType: .snapRevision)
        #expect(database.addAll(chain).map { "\($0.error)" } == [])
        let revision = try SnapRevision(
            try #require(
                try await fixture.catalogue.assertions(ofType: .snapRevision).first {
                    $0.string("snap-revision") == "1"
                }))
        #expect(revision.snapSize == first.size)
        #expect(revision.developerID == "acme-brand")
    }

    @Test(arguments: CatalogueEngine.available) func oversizedAndBrokenUploadsLeaveNothing(_ engine: CatalogueEngine)
        async throws
    {
        let fixture = try await StoreFixture.make(engine: engine, uploadLimit: 64 * 1024)
        defer { fixture.cleanUp() }
        let acme = try await fixture.publisher("acme")
        _ = try await fixture.store.register(name: "hello-depot", by: acme)
        let big = try fixture.packSnap("hello-depot", payload: 200 * 1024)
        #expect(throws: StoreError.self) { _ = try fixture.ingest(big) }
        let junk = fixture.folder.appendingPathComponent("junk.snap")
        try Data("not a snap".utf8).write(to: junk)
        await #expect(throws: StoreError.self) {
            _ = try await fixture.store.upload(try fixture.ingest(junk.path), name: "hello-depot", by: acme)
        }
        #expect(fixture.temporaryUploads.isEmpty)
        #expect(try await fixture.catalogue.allBlobDigests().isEmpty)
        let blobFolders = try FileManager.default.contentsOfDirectory(atPath: fixture.directory.path + "/blobs")
        #expect(blobFolders == ["tmp"])
    }

    @Test(arguments: CatalogueEngine.available) func releasesFollowTheRealStoresRules(_ engine: CatalogueEngine)
        async throws
    {
        let fixture = try await StoreFixture.make(engine: engine)
        defer { fixture.cleanUp() }
        let acme = try await fixture.publisher("acme")
        let other = try await fixture.publisher("other")
        _ = try await fixture.store.register(name: "hello-depot", by: acme)
        for version in ["1", "2", "3"] {
            _ = try await fixture.store.upload(
                try fixture.ingest(try fixture.packSnap("hello-depot", version: version)), name: "hello-depot", by: acme
            )
        }
        _ = try await fixture.store.release(name: "hello-depot", revision: 1, channels: ["stable", "beta"], by: acme)
        _ = try await fixture.store.release(
            name: "hello-depot", revision: 2, channels: ["stable"], progressive: 25, by: acme)
        _ = try await fixture.store.close(name: "hello-depot", channels: ["beta"], by: acme)
        let map = try await fixture.catalogue.channelMap(
            snapID: try await fixture.store.snap(named: "hello-depot").snapID)
        let beta = try ChannelRequest.parse("beta")
        #expect(map.resolve(beta, architecture: "amd64", bucket: nil, at: 0)?.revision == 1)
        #expect(map.resolve(beta, architecture: "amd64", bucket: 10, at: 0)?.revision == 2)
        await #expect(throws: StoreError(.forbidden, "snap \"hello-depot\" belongs to another publisher")) {
            _ = try await fixture.store.release(name: "hello-depot", revision: 3, channels: ["edge"], by: other)
        }
        await #expect(throws: StoreError.self) {
            _ = try await fixture.store.release(name: "hello-depot", revision: 7, channels: ["edge"], by: acme)
        }
        await #expect(throws: StoreError.self) {
            _ = try await fixture.store.release(name: "hello-depot", revision: 3, channels: ["2.0/edge"], by: acme)
        }
        _ = try await fixture.store.configureTracks(name: "hello-depot", add: ["2.0"], defaultTrack: "2.0", by: acme)
        _ = try await fixture.store.release(name: "hello-depot", revision: 3, channels: ["2.0/edge"], by: acme)
        let status = try await fixture.store.status(name: "hello-depot")
        #expect(status.defaultTrack == "2.0")
        let stable = try #require(status.rows.first { $0.track == "latest" && $0.risk == "stable" })
        #expect(stable.revision == 1)
        #expect(stable.progressiveRevision == 2)
        #expect(stable.progressivePercentage == 25)
        #expect(status.rows.first { $0.track == "latest" && $0.risk == "beta" }?.following == true)
        let history = try await fixture.catalogue.releaseHistory(snapID: status.snapID)
        #expect(history.map(\.action) == [.release, .release, .progressive, .close, .release])
    }
}
