import Assertions
import GRDB
import SnapFiles
import StoreCore
import StorePersistence
import StoreProtocol
import Testing

/// The SQLite catalogue on an in-memory database (GRDB's `DatabaseQueue`): the same schema and
/// migrations as a store's file, no folder, no server.
@Suite struct InMemoryCatalogueTests {
    static let snapID = "hellosnapid0000000000000000000001"

    func catalogue() throws -> SQLiteCatalogue {
        try SQLiteCatalogue(writer: DatabaseQueue(configuration: SQLiteCatalogue.configuration))
    }

    func declaration(name: String = "hello", snapID: String = Self.snapID) throws -> Assertion {
        try AssertionSigner.sign(
            headers: [
                "type": "snap-declaration", "authority-id": "store", "series": "16", "snap-id": .string(snapID),
                "snap-name": .string(name), "publisher-id": "acme", "timestamp": .string(Timestamp.now().text),
            ], key: try PrivateKey.generate(bits: 1024))
    }

    func revision(_ number: Int, epoch: Epoch = .zero) -> RevisionRecord {
        RevisionRecord(
            snapID: Self.snapID, revision: number, version: "\(number).0", type: "app", base: "core22",
            architectures: ["amd64", "arm64"], epoch: epoch, confinement: "strict", grade: "stable",
            provenance: "global-upload", sha3_384: String(repeating: "a", count: 95) + "\(number)", size: 4096,
            snapYAML: "name: hello\n", createdAt: 1_700_000_000)
    }

    func seeded() async throws -> SQLiteCatalogue {
        let catalogue = try catalogue()
        try await catalogue.createAccount(
            StoreAccount(id: "acme", username: "acme", displayName: "ACME", validation: "verified", createdAt: 0),
            assertions: [])
        try await catalogue.registerSnap(
            SnapRecord(
                snapID: Self.snapID, name: "hello", publisherID: "acme", store: nil, isPrivate: false, createdAt: 0),
            declaration: try declaration())
        return catalogue
    }

    @Test func revisionsReadBackAsWrittenEpochsIncluded() async throws {
        let catalogue = try await seeded()
        let epoch = Epoch(read: [1, 2], write: [2])
        try await catalogue.addRevision(revision(1), assertions: [], channelMap: nil, events: [])
        try await catalogue.addRevision(revision(2, epoch: epoch), assertions: [], channelMap: nil, events: [])
        let stored = try await catalogue.revisions(snapID: Self.snapID)
        #expect(stored == [revision(1), revision(2, epoch: epoch)])
        #expect(try await catalogue.revision(snapID: Self.snapID, revision: 2)?.epoch == epoch)
    }

    @Test func aRevisionAndItsReleaseAreWrittenTogether() async throws {
        let catalogue = try await seeded()
        let map = ChannelMap(
            releases: [
                ChannelRelease(channel: Channel(risk: .stable), architecture: "amd64", revision: 1, releasedAt: 5)
            ]
        )
        let event = ReleaseEvent(
            snapID: Self.snapID, channel: "latest/stable", architectures: ["amd64"], revision: 1, action: .release,
            percentage: nil, accountID: "acme", at: 5)
        try await catalogue.addRevision(revision(1), assertions: [], channelMap: map, events: [event])
        let dossier = try #require(try await catalogue.dossiers(snapIDs: [Self.snapID])[Self.snapID])
        #expect(dossier.channelMap.releases.map(\.revision) == [1])
        #expect(dossier.revisions.map(\.revision) == [1] && dossier.publisher?.displayName == "ACME")
        #expect(try await catalogue.releaseHistory(snapID: Self.snapID) == [event])
    }

    /// Each method is one transaction: a revision of a snap that is not registered leaves nothing.
    @Test func aFailedWriteLeavesNothingBehind() async throws {
        let catalogue = try await seeded()
        var orphan = revision(1)
        orphan = RevisionRecord(
            snapID: "notregistered000000000000000001", revision: 1, version: orphan.version, type: orphan.type,
            base: orphan.base, architectures: orphan.architectures, epoch: orphan.epoch,
            confinement: orphan.confinement, grade: orphan.grade, provenance: orphan.provenance,
            sha3_384: orphan.sha3_384, size: orphan.size, snapYAML: orphan.snapYAML, createdAt: orphan.createdAt)
        let signed = try declaration(name: "orphan", snapID: "notregistered000000000000000001")
        await #expect(throws: (any Error).self) {
            try await catalogue.addRevision(orphan, assertions: [signed], channelMap: nil, events: [])
        }
        #expect(try await catalogue.revisions(snapID: "notregistered000000000000000001").isEmpty)
        #expect(try await catalogue.assertion(signed.reference) == nil, "the assertion went with the failed write")
    }

    @Test func aNameIsRegisteredOncePerStore() async throws {
        let catalogue = try await seeded()
        let again = SnapRecord(
            snapID: "othersnapid00000000000000000000001", name: "hello", publisherID: "acme", store: nil,
            isPrivate: false, createdAt: 0)
        await #expect(throws: (any Error).self) {
            try await catalogue.registerSnap(again, declaration: try declaration(snapID: again.snapID))
        }
        #expect(try await catalogue.snap(name: "hello", store: nil)?.snapID == Self.snapID)
        #expect(try await catalogue.journalMode() == "memory", "an in-memory database has no WAL")
    }

    static let device = "acme/my-pi3/A1"

    /// The device's report of `hello` alone, at `revision`.
    func report(_ catalogue: SQLiteCatalogue, _ revision: Int, at time: Int64) async throws {
        try await catalogue.recordReport(
            serialKey: Self.device,
            snaps: [
                ReportedSnap(snapID: Self.snapID, revision: revision, channel: "latest/stable", refreshedDate: nil)
            ],
            at: time)
    }

    /// snapd reports its installed set on every refresh: the store keeps it and reads the story.
    @Test func reportsAndDownloadsTellWhetherAnUpdateTook() async throws {
        let catalogue = try await seeded()
        let device = Self.device
        try await report(catalogue, 1, at: 10)
        try await catalogue.recordDownload(serialKey: device, snapID: Self.snapID, revision: 2, at: 11)
        try await catalogue.recordDownload(serialKey: device, snapID: Self.snapID, revision: 2, at: 12)
        try await report(catalogue, 1, at: 20)
        try await catalogue.recordDownload(serialKey: device, snapID: Self.snapID, revision: 2, at: 21)
        try await report(catalogue, 2, at: 30)
        try await report(catalogue, 1, at: 40)
        let story = try await catalogue.deviceEvents(serialKey: device).map { "\($0.kind.rawValue) \($0.revision)" }
        #expect(story == ["reported 1", "downloaded 2", "failed 2", "downloaded 2", "refreshed 2", "reverted 1"])
        let installed = try await catalogue.installedSnaps(serialKey: device)
        #expect(
            installed.map(\.revision) == [1] && installed.first?.name == "hello" && installed.first?.reportedAt == 40)
    }

    /// A repeated report is skipped by what the catalogue remembers writing: a report whose write
    /// failed was not written, so the same report again is written, not skipped.
    @Test func aReportWhoseWriteFailedIsWrittenWhenItComesAgain() async throws {
        let catalogue = try await seeded()
        let device = Self.device
        try await report(catalogue, 1, at: 10)
        try await catalogue.writer.write { db in
            try db.execute(
                sql: "CREATE TRIGGER refuse BEFORE INSERT ON device_events BEGIN SELECT RAISE(ABORT, 'full'); END")
        }
        await #expect(throws: (any Error).self) { try await report(catalogue, 2, at: 20) }
        try await catalogue.writer.write { db in try db.execute(sql: "DROP TRIGGER refuse") }
        #expect(try await catalogue.installedSnaps(serialKey: device).map(\.revision) == [1], "rolled back")
        try await report(catalogue, 2, at: 25)
        #expect(try await catalogue.installedSnaps(serialKey: device).map(\.revision) == [2])
        let story = try await catalogue.deviceEvents(serialKey: device).map { "\($0.kind.rawValue) \($0.revision)" }
        #expect(story == ["reported 1", "refreshed 2"])
    }
}
