import Foundation
import StoreCore
import StoreTestSupport
import Testing

/// Where a split fleet run's shards meet (`SnapStore.meet(fleetRun:…)`), on both catalogues: a
/// party's first note stands, every party sees the others, only the admin may meet, and names and
/// numbers out of range are refused.
@Suite struct FleetRendezvousTests {
    @Test(arguments: CatalogueEngine.available)
    func shardsMeetAndAPartysFirstNoteStands(_ engine: CatalogueEngine) async throws {
        let fixture = try await StoreFixture.make(engine: engine)
        defer { fixture.cleanUp() }
        let store = fixture.store
        #expect(try await store.rendezvous(fleetRun: "canary", step: 3, by: .admin).isEmpty)
        #expect(try await store.meet(fleetRun: "canary", step: 3, party: 2, note: "1,2", by: .admin) == [2: "1,2"])
        #expect(
            try await store.meet(fleetRun: "canary", step: 3, party: 1, note: "1", by: .admin) == [1: "1", 2: "1,2"])
        // A party meeting again (a retried request) keeps its first note.
        #expect(
            try await store.meet(fleetRun: "canary", step: 3, party: 2, note: "other", by: .admin) == [
                1: "1", 2: "1,2",
            ])
        _ = try await store.meet(fleetRun: "canary", step: 3, party: 0, note: "7 SNAPID", by: .admin)
        #expect(try await store.rendezvous(fleetRun: "canary", step: 3, by: .admin)[0] == "7 SNAPID")
        // Other steps and runs are apart.
        #expect(try await store.rendezvous(fleetRun: "canary", step: 4, by: .admin).isEmpty)
        #expect(try await store.rendezvous(fleetRun: "other", step: 3, by: .admin).isEmpty)
    }

    @Test func onlyTheAdminMeetsAndBadNamesAreRefused() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        let store = fixture.store
        await #expect(throws: StoreError.self) {
            _ = try await store.meet(fleetRun: "canary", step: 1, party: 1, note: "", by: acme)
        }
        for (run, step, party) in [("Canary", 1, 1), ("", 1, 1), ("canary", -1, 1), ("canary", 1, -1)] {
            await #expect(throws: StoreError.self, "\(run) \(step) \(party)") {
                _ = try await store.meet(fleetRun: run, step: step, party: party, note: "", by: .admin)
            }
        }
        await #expect(throws: StoreError.self) {
            _ = try await store.meet(
                fleetRun: "canary", step: 1, party: 1, note: String(repeating: "x", count: 70_000), by: .admin)
        }
        #expect(try await store.rendezvous(fleetRun: "canary", step: 1, by: .admin).isEmpty)
    }
}
