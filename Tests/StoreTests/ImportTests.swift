import Assertions
import Foundation
import SnapFiles
import StoreCore
import StorePersistence
import StoreTestSupport
import TestSupport
import Testing

/// Importing what another store signed, as an air-gapped store does.
@Suite struct ImportTests {
    /// Another store: its root, a publisher, and a snap it published, as `snap download` leaves them.
    struct Upstream {
        let trusted: [Assertion]
        let downloaded: [Assertion]
        let snapPath: String

        static func make(packing snap: String, in fixture: StoreFixture) throws -> Upstream {
            let root = try PrivateKey.generate(bits: 2048)
            let now = Timestamp.now()
            let since = Timestamp(seconds: now.seconds - 3600)
            func sign(_ headers: Headers, body: [UInt8] = []) throws -> Assertion {
                var headers = headers
                headers["authority-id"] = "upstream"
                return try AssertionSigner.sign(headers: headers, body: body, key: root, signingTime: now)
            }
            let account = try sign([
                "type": "account", "account-id": "upstream", "display-name": "Upstream", "validation": "verified",
                "timestamp": .string(since.text),
            ])
            let accountKey = try sign(
                [
                    "type": "account-key", "account-id": "upstream", "name": "root",
                    "public-key-sha3-384": .string(root.id), "since": .string(since.text),
                ], body: Array(root.publicKey.encoded.utf8))
            let file = try SnapFile.open(path: snap)
            let publisher = try sign([
                "type": "account", "account-id": "UpstreamPublisher000000000000001", "username": "upstream-dev",
                "display-name": "Upstream Dev", "validation": "starred", "timestamp": .string(now.text),
            ])
            let declaration = try sign([
                "type": "snap-declaration", "series": "16", "snap-id": "upstreamhellosnapid0000000000001",
                "snap-name": .string(file.metadata.name), "publisher-id": "UpstreamPublisher000000000000001",
                "timestamp": .string(now.text),
            ])
            let revision = try sign([
                "type": "snap-revision", "snap-sha3-384": .string(file.sha3_384Base64URL),
                "snap-id": "upstreamhellosnapid0000000000001", "snap-size": .string(String(file.size)),
                "snap-revision": "77", "developer-id": "UpstreamPublisher000000000000001",
                "timestamp": .string(now.text),
            ])
            return Upstream(
                trusted: [account, accountKey], downloaded: [publisher, declaration, revision], snapPath: snap)
        }
    }

    @Test(arguments: CatalogueEngine.available) func importsASnapKeepingItsUpstreamIdentity(_ engine: CatalogueEngine)
        async throws
    {
        let scratch = try await StoreFixture.make(engine: engine)
        let upstream = try Upstream.make(packing: try scratch.packSnap("hello-depot", version: "2.4"), in: scratch)
        let fixture = try await StoreFixture.make(engine: engine, extraTrusted: upstream.trusted)
        defer {
            fixture.cleanUp()
            scratch.cleanUp()
        }
        let record = try await fixture.store.importSnap(
            try fixture.ingest(upstream.snapPath), assertions: upstream.downloaded, release: ["stable"], by: .admin)
        #expect(record.snapID == "upstreamhellosnapid0000000000001")
        #expect(record.revision == 77)
        #expect(record.version == "2.4")
        let snap = try await fixture.store.snap(named: "hello-depot")
        #expect(snap.publisherID == "UpstreamPublisher000000000000001")
        #expect(try await fixture.catalogue.account(id: snap.publisherID)?.username == "upstream-dev")
        // Importing it again changes nothing.
        let again = try await fixture.store.importSnap(
            try fixture.ingest(upstream.snapPath), assertions: upstream.downloaded, by: .admin)
        #expect(again == record)
        #expect(try await fixture.catalogue.revisions(snapID: snap.snapID).count == 1)
        #expect(fixture.temporaryUploads.isEmpty)
    }

    /// `POST /admin/v1/trust`'s domain side: the admin trusts the upstream root while the store
    /// runs, and the import that was refused goes through; the root is kept for the next start.
    @Test(arguments: CatalogueEngine.available) func aRootTrustedAtRunTimeLetsItsSnapsInAndIsKept(
        _ engine: CatalogueEngine
    ) async throws {
        let scratch = try await StoreFixture.make(engine: engine)
        let upstream = try Upstream.make(packing: try scratch.packSnap("hello-depot"), in: scratch)
        let fixture = try await StoreFixture.make(engine: engine)
        defer {
            fixture.cleanUp()
            scratch.cleanUp()
        }
        await #expect(throws: StoreError.self) {
            _ = try await fixture.store.importSnap(
                try fixture.ingest(upstream.snapPath), assertions: upstream.downloaded, by: .admin)
        }
        let acme = try await fixture.publisher("acme", id: "acme")
        #expect(throws: StoreError.self, "only the admin trusts a root") {
            try fixture.store.trustRoot(upstream.trusted, by: acme)
        }
        // A well-formed root that takes this store's own root's account id.
        let ownID = try #require(fixture.store.identity.trusted.first { $0.type == .account }).string("account-id")
        let impostorKey = try PrivateKey.generate(bits: 1024)
        let since = Timestamp(seconds: Timestamp.now().seconds - 60).text
        let impostor = [
            try AssertionSigner.sign(
                headers: [
                    "type": "account", "authority-id": .string(ownID), "account-id": .string(ownID),
                    "display-name": "impostor", "validation": "verified", "timestamp": .string(since),
                ], key: impostorKey),
            try AssertionSigner.sign(
                headers: [
                    "type": "account-key", "authority-id": .string(ownID), "account-id": .string(ownID),
                    "name": "root", "public-key-sha3-384": .string(impostorKey.id), "since": .string(since),
                ], body: Array(impostorKey.publicKey.encoded.utf8), key: impostorKey),
        ]
        let clash = #expect(throws: StoreError.self) { try fixture.store.trustRoot(impostor, by: .admin) }
        #expect(clash?.kind == .conflict, "\(String(describing: clash))")
        #expect(fixture.store.extraTrusted.isEmpty)

        try fixture.store.trustRoot(upstream.trusted, by: .admin)
        try fixture.store.trustRoot(upstream.trusted, by: .admin)
        #expect(fixture.store.extraTrusted.count == 2, "the same root again changes nothing")
        let record = try await fixture.store.importSnap(
            try fixture.ingest(upstream.snapPath), assertions: upstream.downloaded, by: .admin)
        #expect(record.revision == 77)
        #expect(try fixture.directory.loadExtraTrusted() == upstream.trusted, "kept for the next start")
    }

    @Test(arguments: CatalogueEngine.available) func refusesWhatDoesNotVerify(_ engine: CatalogueEngine) async throws {
        let scratch = try await StoreFixture.make(engine: engine)
        let upstream = try Upstream.make(packing: try scratch.packSnap("hello-depot"), in: scratch)
        // This store does not trust the upstream root.
        let fixture = try await StoreFixture.make(engine: engine)
        defer {
            fixture.cleanUp()
            scratch.cleanUp()
        }
        await #expect {
            _ = try await fixture.store.importSnap(
                try fixture.ingest(upstream.snapPath), assertions: upstream.downloaded, by: .admin)
        } throws: { error in
            (error as? StoreError)?.message.contains("not signed by a directly trusted authority") == true
                || (error as? StoreError)?.message.contains("not found") == true
        }
        #expect(try await fixture.catalogue.assertions(ofType: .snapDeclaration).isEmpty)
        #expect(fixture.temporaryUploads.isEmpty)
    }

    @Test(arguments: CatalogueEngine.available) func assertionImportsAreIdempotentAndRefuseConflicts(
        _ engine: CatalogueEngine
    ) async throws {
        let fixture = try await StoreFixture.make(engine: engine)
        defer { fixture.cleanUp() }
        let brand = try PrivateKey.generate(bits: 2048)
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        _ = try await fixture.store.registerKey(
            accountID: "acme-brand", name: "models", publicKey: brand.publicKey, by: acme)
        func model(revision: Int, architecture: String) throws -> Assertion {
            try AssertionSigner.sign(
                headers: [
                    "type": "model", "authority-id": "acme-brand", "brand-id": "acme-brand", "series": "16",
                    "model": "my-pi3", "architecture": .string(architecture), "gadget": "pi3", "kernel": "pi2-kernel",
                    "revision": .string(String(revision)), "timestamp": .string(Timestamp.now().text),
                ], key: brand)
        }
        let first = try model(revision: 0, architecture: "armhf")
        _ = try await fixture.store.importAssertions([first], by: .admin)
        _ = try await fixture.store.importAssertions([first], by: .admin)
        await #expect(throws: StoreError.self) {
            _ = try await fixture.store.importAssertions([try model(revision: 0, architecture: "arm64")], by: .admin)
        }
        _ = try await fixture.store.importAssertions([try model(revision: 1, architecture: "arm64")], by: .admin)
        let stored = try await fixture.catalogue.assertion(AssertionReference(.model, ["16", "acme-brand", "my-pi3"]))
        #expect(stored?.string("architecture") == "arm64")
        let stranger = try PrivateKey.generate(bits: 2048)
        let forged = try AssertionSigner.sign(headers: first.signingHeaders, key: stranger)
        await #expect(throws: StoreError.self) { _ = try await fixture.store.importAssertions([forged], by: .admin) }
        await #expect(throws: StoreError.self) { _ = try await fixture.store.importAssertions([first], by: acme) }
    }
}

/// snapd's own code verifies what the store signs.
@Suite(.enabled(if: SnapdSource.available, "needs the Go checker: run scripts/test"))
struct StoreSignedInteropTests {
    @Test(arguments: CatalogueEngine.available) func snapdVerifiesTheStoresDeclarationsAndRevisions(
        _ engine: CatalogueEngine
    ) async throws {
        let fixture = try await StoreFixture.make(engine: engine)
        defer { fixture.cleanUp() }
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        _ = try await fixture.store.register(name: "hello-depot", by: acme)
        _ = try await fixture.store.upload(
            try fixture.ingest(try fixture.packSnap("hello-depot", architectures: ["amd64", "arm64"])),
            name: "hello-depot", by: acme)
        var stream = [fixture.store.identity.storeAccountKey]
        stream += try await fixture.catalogue.assertions(ofType: .account).filter {
            $0.string("account-id") != fixture.store.identity.authorityID
        }
        stream += try await fixture.catalogue.assertions(ofType: .snapDeclaration)
        stream += try await fixture.catalogue.assertions(ofType: .snapRevision)
        let trusted = fixture.folder.appendingPathComponent("trusted.assert")
        let file = fixture.folder.appendingPathComponent("stream.assert")
        try Data(AssertionStream.encode(fixture.store.identity.trusted)).write(to: trusted)
        try Data(AssertionStream.encode(stream)).write(to: file)
        let run = try SnapdSource.runChecker(["verify", trusted.path, file.path])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("ok snap-revision"))
        #expect(run.output.contains("ok snap-declaration"))
    }
}
