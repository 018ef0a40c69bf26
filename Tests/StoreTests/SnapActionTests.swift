import Assertions
import Foundation
import StoreCore
import StorePersistence
import StoreProtocol
import StoreTestSupport
import TestSupport
import Testing

/// Refresh decisions, as snapd's store package asks for them (`POST /v2/snaps/refresh` bodies).
@Suite struct SnapActionTests {
    struct Seeded {
        let fixture: StoreFixture
        let snapID: String
        let acme: Principal
    }

    /// hello-depot: r1 (epoch 0) stable, r2 (epoch 0) beta, r3 (epoch 1, reads only 1) edge.
    static func seeded(_ engine: CatalogueEngine) async throws -> Seeded {
        let fixture = try await StoreFixture.make(engine: engine)
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        let snap = try await fixture.store.register(name: "hello-depot", by: acme)
        for (version, channel, epoch) in [("1", "stable", "0"), ("2", "beta", "0"), ("3", "edge", "1")] {
            _ = try await fixture.store.upload(
                try fixture.ingest(
                    try fixture.packSnap(
                        "hello-depot", version: version, architectures: ["amd64"], extraYAML: "epoch: \(epoch)\n")),
                name: "hello-depot", release: [channel], by: acme)
        }
        return Seeded(fixture: fixture, snapID: snap.snapID, acme: acme)
    }

    func ask(_ seeded: Seeded, _ json: String, store: String? = nil, serial: String? = nil) async throws
        -> [SnapActionResult]
    {
        let request = try WireJSON.literalDecoder.decode(SnapActionRequest.self, from: Data(json.utf8))
        return try await seeded.fixture.store.snapAction(
            request, device: DeviceIdentity(architecture: "amd64", storeID: store, serialKey: serial),
            baseURL: "http://store.test")
    }

    func refresh(
        _ seeded: Seeded, revision: Int, tracking: String, channel: String? = nil,
        epoch: String = #"{"read":[0],"write":[0]}"#
    )
        async throws -> Int?
    {
        let channelField = channel.map { #", "channel": "\#($0)""# } ?? ""
        let results = try await ask(
            seeded,
            #"""
            {"context": [{"snap-id": "\#(seeded.snapID)", "instance-key": "\#(seeded.snapID)", "revision": \#(revision),
                          "tracking-channel": "\#(tracking)", "epoch": \#(epoch)}],
             "actions": [{"action": "refresh", "instance-key": "\#(seeded.snapID)", "snap-id": "\#(seeded.snapID)"\#(channelField)}]}
            """#)
        return results.first?.snap?.revision
    }

    @Test(arguments: CatalogueEngine.available) func oneRequestBuysABoundedAmountOfWork(_ engine: CatalogueEngine)
        async throws
    {
        let seeded = try await Self.seeded(engine)
        defer { seeded.fixture.cleanUp() }
        let action = #"{"action": "install", "instance-key": "k", "name": "hello-depot"}"#
        let many = Array(repeating: action, count: SnapStore.maxSnapActionEntries + 1).joined(separator: ",")
        await #expect(
            throws: StoreError(
                .invalid,
                "a snap action request may hold at most 1000 context entries and as many actions; this one has 0 and 1001"
            )
        ) { _ = try await ask(seeded, #"{"context": [], "actions": [\#(many)]}"#) }
        let allowed = Array(repeating: action, count: 3).joined(separator: ",")
        #expect(try await ask(seeded, #"{"context": [], "actions": [\#(allowed)]}"#).count == 3)
    }

    @Test(arguments: CatalogueEngine.available) func refreshDecisions(_ engine: CatalogueEngine) async throws {
        let seeded = try await Self.seeded(engine)
        defer { seeded.fixture.cleanUp() }
        #expect(try await refresh(seeded, revision: 1, tracking: "beta") == 2)  // update on the tracked channel
        #expect(try await refresh(seeded, revision: 1, tracking: "stable") == nil)  // none when current
        #expect(try await refresh(seeded, revision: 1, tracking: "stable", channel: "beta") == 2)  // channel switch
        _ = try await seeded.fixture.store.upload(
            try seeded.fixture.ingest(
                try seeded.fixture.packSnap("hello-depot", version: "4", architectures: ["amd64"])),
            name: "hello-depot", release: ["beta"], by: seeded.acme)
        #expect(try await refresh(seeded, revision: 1, tracking: "stable") == nil)  // stable does not see beta
        // Epoch 1 at edge cannot read epoch-0 data: the newest edge revision that can is offered.
        #expect(try await refresh(seeded, revision: 2, tracking: "edge") == nil)
        #expect(try await refresh(seeded, revision: 3, tracking: "edge", epoch: #"{"read":[1],"write":[1]}"#) == nil)
        #expect(try await refresh(seeded, revision: 1, tracking: "edge", epoch: #"{"read":[1],"write":[1]}"#) == 3)
    }

    @Test(arguments: CatalogueEngine.available) func installsErrorsAndVisibility(_ engine: CatalogueEngine) async throws
    {
        let seeded = try await Self.seeded(engine)
        defer { seeded.fixture.cleanUp() }
        let results = try await ask(
            seeded,
            #"""
            {"context": [], "actions": [
              {"action": "install", "instance-key": "install-1", "name": "hello-depot", "channel": "beta", "epoch": null},
              {"action": "download", "instance-key": "download-2", "name": "hello-depot", "revision": 1, "epoch": null},
              {"action": "install", "instance-key": "install-3", "name": "no-such", "epoch": null},
              {"action": "install", "instance-key": "install-4", "name": "hello-depot", "channel": "9.9/stable", "epoch": null}]}
            """#)
        #expect(results.count == 4)
        #expect(results[0].result == .install && results[0].snap?.revision == 2)
        #expect(results[0].effectiveChannel == "latest/beta" && results[0].instanceKey == "install-1")
        #expect(
            results[0].snap?.download.url == "http://store.test/api/v1/snaps/download/\(seeded.snapID)_2.snap")
        #expect(results[1].result == .download && results[1].snap?.revision == 1)
        #expect(results[2].result == .error && results[2].name == "no-such")
        #expect(results[2].error?.code == "name-not-found" && results[2].instanceKey == "install-3")
        #expect(results[3].error?.code == "revision-not-found" && results[3].error?.extra?.releases.isEmpty == false)
        let unknownID = try await ask(
            seeded,
            #"""
            {"context": [{"snap-id": "unknownsnapid000000000000000001", "instance-key": "k", "revision": 1, "tracking-channel": "stable",
                          "epoch": {"read":[0],"write":[0]}}],
             "actions": [{"action": "refresh", "instance-key": "k", "snap-id": "unknownsnapid000000000000000001"}]}
            """#)
        #expect(try #require(unknownID.first).error?.code == "id-not-found")

        // A brand-store snap is invisible without that store's header.
        _ = try await seeded.fixture.store.register(
            name: "branded", publisherID: "acme-brand", store: "acme-store", by: .admin)
        _ = try await seeded.fixture.store.upload(
            try seeded.fixture.ingest(try seeded.fixture.packSnap("branded", architectures: ["amd64"])),
            name: "branded", store: "acme-store", release: ["stable"], by: seeded.acme)
        let install =
            #"{"context": [], "actions": [{"action": "install", "instance-key": "install-1", "name": "branded", "epoch": null}]}"#
        #expect(try #require(try await ask(seeded, install).first).error?.code == "name-not-found")
        #expect(try #require(try await ask(seeded, install, store: "acme-store").first).snap?.name == "branded")
    }

    @Test(arguments: CatalogueEngine.available) func validationSetsPinAndFetchAssertionsInBulk(
        _ engine: CatalogueEngine
    ) async throws {
        let seeded = try await Self.seeded(engine)
        defer { seeded.fixture.cleanUp() }
        let key = try PrivateKey.generate(bits: 2048)
        _ = try await seeded.fixture.store.registerKey(
            accountID: "acme-brand", name: "sets", publicKey: key.publicKey, by: seeded.acme)
        let set = try AssertionSigner.sign(
            headers: [
                "type": "validation-set", "authority-id": "acme-brand", "account-id": "acme-brand", "series": "16",
                "name": "fleet", "sequence": "1", "timestamp": .string(Timestamp.now().text),
                "snaps": [
                    ["name": "hello-depot", "id": .string(seeded.snapID), "presence": "required", "revision": "1"]
                ],
            ], key: key)
        _ = try await seeded.fixture.store.publishValidationSet(set, by: seeded.acme)
        let pinned = try await ask(
            seeded,
            #"""
            {"context": [], "actions": [{"action": "install", "instance-key": "install-1", "name": "hello-depot", "channel": "beta",
              "epoch": null, "validation-sets": [["16", "acme-brand", "fleet", "1"]]}]}
            """#)
        #expect(try #require(pinned.first).snap?.revision == 1)

        let fetched = try await ask(
            seeded,
            #"""
            {"context": [], "actions": [{"action": "fetch-assertions", "key": "AAA", "assertions": [
               {"type": "snap-declaration", "primary-key": ["16", "\#(seeded.snapID)"]},
               {"type": "account", "primary-key": ["acme-brand"], "if-newer-than": 5},
               {"type": "validation-set", "sequence-key": ["16", "acme-brand", "fleet"]},
               {"type": "account", "primary-key": ["nobody"]}]}]}
            """#)
        let assertions = try #require(fetched.first)
        #expect(assertions.result == .fetchAssertions && assertions.key == "AAA")
        #expect(
            assertions.assertionStreamURLs == [
                "http://store.test/v2/assertions/snap-declaration/16/\(seeded.snapID)",
                "http://store.test/v2/assertions/validation-set/16/acme-brand/fleet/1",
            ])
        #expect(assertions.errorList?.map(\.type) == ["account"])
    }

    @Test func rolloutBucketsAreStableAndProportional() {
        let devices = (0..<1000).map {
            DeviceIdentity(architecture: "amd64", storeID: nil, serialKey: "acme/my-pi3/S\($0)")
        }
        let inside = devices.filter { ($0.rolloutBucket(snapID: "snapid") ?? 100) < 30 }.count
        #expect((250...350).contains(inside), "\(inside) of 1000 in a 30 % rollout")
        #expect(
            devices.map { $0.rolloutBucket(snapID: "snapid") } == devices.map { $0.rolloutBucket(snapID: "snapid") })
        #expect(DeviceIdentity(architecture: "amd64", storeID: nil, serialKey: nil).rolloutBucket(snapID: "x") == nil)
    }
}
