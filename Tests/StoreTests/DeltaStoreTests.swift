import Foundation
import SnapFiles
import StoreCore
import StorePersistence
import StoreProtocol
import StoreTestSupport
import TestSupport
import Testing

/// Deltas in the store: made from what a release's channels held, or when a device first asks;
/// announced only to a device that applies xdelta3 and only when worth it; kept as blobs the
/// start-up recovery and `data check` know.
@Suite(.enabled(if: XDelta3.isAvailable, "needs xdelta3 (Debian's package): run scripts/test"))
struct DeltaStoreTests {
    struct Seeded {
        let fixture: StoreFixture
        let snapID: String
        let acme: Principal
    }

    /// hello-depot r1 on stable; r2 shares its 256 KiB payload but its last bytes; r3 has another.
    static func seeded(_ engine: CatalogueEngine, deltas: Bool = true) async throws -> Seeded {
        let fixture = try await StoreFixture.make(engine: engine, deltas: deltas)
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        let snap = try await fixture.store.register(name: "hello-depot", by: acme)
        for (version, seed, release) in [("1", 1, ["stable"]), ("2", 1, []), ("3", 2, [])]
            as [(String, UInt64, [String])]
        {
            _ = try await fixture.store.upload(
                try fixture.ingest(
                    try fixture.packSnap(
                        "hello-depot", version: version, architectures: ["amd64"], payload: 256 << 10, payloadSeed: seed
                    )
                ), name: "hello-depot", release: release, by: acme)
        }
        return Seeded(fixture: fixture, snapID: snap.snapID, acme: acme)
    }

    func refresh(_ seeded: Seeded, from revision: Int, deltaFormat: String?) async throws -> StoreSnap? {
        let request = try WireJSON.literalDecoder.decode(
            SnapActionRequest.self,
            from: Data(
                #"""
                {"context": [{"snap-id": "\#(seeded.snapID)", "instance-key": "\#(seeded.snapID)", "revision": \#(revision),
                              "tracking-channel": "stable", "epoch": {"read": [0], "write": [0]}}],
                 "actions": [{"action": "refresh", "instance-key": "\#(seeded.snapID)", "snap-id": "\#(seeded.snapID)"}]}
                """#.utf8))
        return try await seeded.fixture.store.snapAction(
            request, device: DeviceIdentity(architecture: "amd64", storeID: nil, serialKey: nil),
            baseURL: "http://store.test",
            deltaFormat: deltaFormat
        ).first?.snap
    }

    /// The deltas of hello-depot once `count` are made: the store makes them in the background.
    func deltas(_ seeded: Seeded, count: Int) async throws -> [SnapStore.DeltaView] {
        for _ in 0..<600 {
            let made = try await seeded.fixture.store.deltas(name: "hello-depot", by: seeded.acme)
            if made.count >= count { return made }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the store made fewer than \(count) deltas in 30 s")
        return []
    }

    @Test(arguments: CatalogueEngine.available) func aReleaseMakesTheDeltaFromWhatItsChannelHeldForDevicesThatApplyThem(
        _ engine: CatalogueEngine
    ) async throws {
        let seeded = try await Self.seeded(engine)
        defer { seeded.fixture.cleanUp() }
        _ = try await seeded.fixture.store.release(
            name: "hello-depot", revision: 2, channels: ["stable"], by: seeded.acme)
        let made = try #require(try await deltas(seeded, count: 1).first)
        #expect(made.source == 1 && made.target == 2 && made.announced && made.format == "xdelta3")
        #expect(made.size * 20 < made.targetSize, "\(made.size) of \(made.targetSize)")

        let offered = try #require(try await refresh(seeded, from: 1, deltaFormat: "xdelta3"))
        #expect(offered.revision == 2)
        #expect(
            offered.download.deltas == [
                StoreSnap.Delta(
                    format: "xdelta3", sha3_384: made.sha3_384 ?? "", size: made.size, source: 1, target: 2,
                    url: "http://store.test/api/v1/snaps/download/\(seeded.snapID)_1_2.xdelta3")
            ])
        // Not to a device that did not say it applies them, nor one that applies another format.
        #expect(try await refresh(seeded, from: 1, deltaFormat: nil)?.download.deltas == [])
        #expect(try await refresh(seeded, from: 1, deltaFormat: "bsdiff")?.download.deltas == [])

        // The delta is a blob the store keeps: the start-up recovery leaves it, `data check` knows it.
        let digest = try #require(made.sha3_384)
        #expect(try await seeded.fixture.catalogue.allBlobDigests().contains(digest))
        #expect(try await seeded.fixture.store.start().quarantined == 0)
        #expect(seeded.fixture.store.blobs.contains(digest: digest))
        let check = try await seeded.fixture.check()
        #expect(check.isSound && check.orphanBlobs.isEmpty, "\(check)")
    }

    @Test(arguments: CatalogueEngine.available) func aDeviceAskingFirstGetsTheWholeSnapAndTheNextOneTheDelta(
        _ engine: CatalogueEngine
    ) async throws {
        let seeded = try await Self.seeded(engine)
        defer { seeded.fixture.cleanUp() }
        // Uploaded with its release at once: no channel change queued a delta.
        let acme = seeded.acme
        _ = try await seeded.fixture.store.upload(
            try seeded.fixture.ingest(
                try seeded.fixture.packSnap(
                    "hello-depot", version: "4", architectures: ["amd64"], payload: 256 << 10, payloadSeed: 1)),
            name: "hello-depot", release: ["stable"], by: acme)
        let first = try #require(try await refresh(seeded, from: 1, deltaFormat: "xdelta3"))
        #expect(first.revision == 4 && first.download.deltas.isEmpty)
        let made = try #require(try await deltas(seeded, count: 1).first)
        #expect(made.source == 1 && made.target == 4)
        #expect(try await refresh(seeded, from: 1, deltaFormat: "xdelta3")?.download.deltas.first?.size == made.size)
    }

    @Test(arguments: CatalogueEngine.available) func aDeltaNoSmallerThanTheSnapIsKeptButNotAnnounced(
        _ engine: CatalogueEngine
    ) async throws {
        let seeded = try await Self.seeded(engine)
        defer { seeded.fixture.cleanUp() }
        let made = try await seeded.fixture.store.makeDelta(name: "hello-depot", from: 1, to: 3, by: seeded.acme)
        #expect(!made.announced && made.sha3_384 == nil && Double(made.size) > Double(made.targetSize) * 0.75)
        // Made beside the uploads in progress and removed once measured; one a killed store left
        // there, the next start removes (on a shared catalogue, only once an hour old).
        let store = seeded.fixture.store
        #expect(try await store.start().partialUploads == 0)
        let crashed = store.blobs.scratchPath("delta-crashed.xdelta3")
        #expect(FileManager.default.createFile(atPath: crashed, contents: Data(count: 16)))
        if !seeded.fixture.catalogue.isShared {
            #expect(try await store.start().partialUploads == 1)
            #expect(!FileManager.default.fileExists(atPath: crashed))
        }
        _ = try await seeded.fixture.store.release(
            name: "hello-depot", revision: 3, channels: ["stable"], by: seeded.acme)
        #expect(try await refresh(seeded, from: 1, deltaFormat: "xdelta3")?.download.deltas == [])
        // Another publisher may neither list nor make this snap's deltas.
        let other = try await seeded.fixture.publisher("other")
        await #expect(throws: StoreError.self) {
            try await seeded.fixture.store.deltas(name: "hello-depot", by: other)
        }
        await #expect(throws: StoreError.self) {
            try await seeded.fixture.store.makeDelta(name: "hello-depot", from: 1, to: 2, by: other)
        }
    }

    @Test(arguments: CatalogueEngine.available) func aStoreWithoutDeltasAnnouncesNoneAndSaysWhyItMakesNone(
        _ engine: CatalogueEngine
    ) async throws {
        let seeded = try await Self.seeded(engine, deltas: false)
        defer { seeded.fixture.cleanUp() }
        _ = try await seeded.fixture.store.release(
            name: "hello-depot", revision: 2, channels: ["stable"], by: seeded.acme)
        #expect(try await refresh(seeded, from: 1, deltaFormat: "xdelta3")?.download.deltas == [])
        await #expect {
            try await seeded.fixture.store.makeDelta(name: "hello-depot", from: 1, to: 2, by: seeded.acme)
        } throws: { ($0 as? StoreError)?.kind == .unavailable && "\($0)".contains("xdelta3") }
    }
}
