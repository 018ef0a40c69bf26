import Foundation
import StoreCore
import StorePersistence
import StoreTestSupport
import Testing

/// snapd sends its whole installed set with every refresh, usually the same set as the last time.
/// The store keeps what changed and the story it tells, on either catalogue engine; a set that
/// changed nothing is written at most once a minute.
struct DeviceReportTests {
    static let device = "acme/my-pi3/A1"
    static let hello = "hellosnapid0000000000000000000001"
    static let other = "othersnapid0000000000000000000001"

    func report(
        _ catalogue: any Catalogue, _ revision: Int, at time: Int64, channel: String = "latest/stable",
        also: [ReportedSnap] = []
    ) async throws {
        try await catalogue.recordReport(
            serialKey: Self.device,
            snaps: [ReportedSnap(snapID: Self.hello, revision: revision, channel: channel, refreshedDate: nil)] + also,
            at: time)
    }

    func story(_ catalogue: any Catalogue) async throws -> [String] {
        try await catalogue.deviceEvents(serialKey: Self.device).map { "\($0.kind.rawValue) \($0.revision) @\($0.at)" }
    }

    func reportedAt(_ catalogue: any Catalogue) async throws -> [String: Int64] {
        Dictionary(
            uniqueKeysWithValues: try await catalogue.installedSnaps(serialKey: Self.device).map {
                ($0.snapID, $0.reportedAt)
            })
    }

    @Test(arguments: CatalogueEngine.available)
    func anUnchangedReportIsWrittenOnceAMinuteAndAChangedOneAtOnce(_ engine: CatalogueEngine) async throws {
        let fixture = try await StoreFixture.make(engine: engine)
        defer { fixture.cleanUp() }
        let catalogue = fixture.catalogue
        try await report(catalogue, 1, at: 1000)
        try await report(catalogue, 1, at: 1030)
        try await report(catalogue, 1, at: 1059)
        #expect(try await reportedAt(catalogue) == [Self.hello: 1000], "the same set within a minute: not written")
        try await report(catalogue, 1, at: 1060)
        #expect(try await reportedAt(catalogue) == [Self.hello: 1060], "a minute on, the time is written")

        // Each of these changes something, so each is written at once.
        try await report(catalogue, 1, at: 1061, channel: "latest/candidate")
        #expect(try await reportedAt(catalogue) == [Self.hello: 1061])
        let second = ReportedSnap(snapID: Self.other, revision: 7, channel: "latest/stable", refreshedDate: nil)
        try await report(catalogue, 1, at: 1062, channel: "latest/candidate", also: [second])
        try await report(catalogue, 1, at: 1063, channel: "latest/candidate")
        #expect(try await reportedAt(catalogue) == [Self.hello: 1063], "a snap no longer reported is removed")
        try await catalogue.recordDownload(serialKey: Self.device, snapID: Self.hello, revision: 2, at: 1064)
        try await report(catalogue, 1, at: 1065, channel: "latest/candidate")
        try await report(catalogue, 2, at: 1066, channel: "latest/candidate")
        try await report(catalogue, 2, at: 1067, channel: "latest/candidate")

        #expect(
            try await story(catalogue) == [
                "reported 1 @1000", "reported 7 @1062", "removed 7 @1063", "downloaded 2 @1064", "failed 2 @1065",
                "refreshed 2 @1066",
            ])
        #expect(try await reportedAt(catalogue) == [Self.hello: 1066])
    }

    @Test(arguments: CatalogueEngine.available)
    func aReportFromAnEarlierClockIsWritten(_ engine: CatalogueEngine) async throws {
        let fixture = try await StoreFixture.make(engine: engine)
        defer { fixture.cleanUp() }
        try await report(fixture.catalogue, 1, at: 1000)
        // A store whose clock was set back: the held time is in the future, so it is not "within a minute".
        try await report(fixture.catalogue, 1, at: 900)
        #expect(try await reportedAt(fixture.catalogue) == [Self.hello: 900])
    }
}
