import Assertions
import DeviceAgent
import Foundation
import SnapFiles
import TestSupport
import Testing

/// What a broken store, network or disk does to a device: through a proxy that answers wrongly on
/// purpose, the device stays on a working revision and `agent changes` says why.
@Suite(.serialized, .enabled(if: SnapdSource.available, "needs snapd's source: run scripts/test"))
struct AgentFaultTests {
    typealias Device = AgentTests.Device

    static func lastChange(_ device: Device) throws -> AgentState.Change {
        try #require(try Agent.open(folder: device.folder).state().changes.last)
    }

    @Test func garbageErrorsAndHangsFromTheStoreLeaveTheDeviceOnItsRevision() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        let proxy = try await FaultyStore(upstream: device.world.server.url)
        try #require(try device.agent(["boot"]).status == 0)
        try device.release(2)
        func refresh() async throws -> CommandResult {
            try await device.agentOffThread(["refresh", "--store", proxy.url])
        }

        for (fault, words) in [
            (FaultyStore.Fault.body("<html>gateway</html>"), "not snapd's shape"),
            (.body(#"{"results": [{"result": "refresh", "snap": {"#), "not snapd's shape"),
            (.body(#"{"results": [{"result": "refresh", "snap": {"name": 7}}]}"#), "not snapd's shape"),
        ] {
            proxy.inject(fault, on: "/v2/snaps/refresh")
            let refused = try await refresh()
            #expect(refused.status != 0 && refused.output.contains(words), "\(fault): \(refused.output)")
            #expect(try device.snaps()["myawesomesnap"]?.current == 1)
            let change = try Self.lastChange(device)
            #expect(change.status == .error && change.tasks.last?.reason?.contains(words) == true, "\(change)")
        }

        // One 503 is tried again, as snapd's retry strategy does, and the refresh goes through.
        let before = proxy.recorded("/v2/snaps/refresh").count
        proxy.inject(.status(503), on: "/v2/snaps/refresh")
        let retried = try await refresh()
        #expect(retried.status == 0 && retried.output.contains("refreshed from 1 to 2"), "\(retried.output)")
        #expect(proxy.recorded("/v2/snaps/refresh").count - before >= 3, "declarations, the 503, the retry")

        // A store that keeps failing, or never answers, ends the attempt with the reason.
        try device.release(3)
        var agent = try Agent.open(folder: device.folder, storeURL: proxy.url)
        agent.retry = .init(attempts: 3, firstWait: 0.1, factor: 2, budget: 5)
        proxy.inject(.status(502), on: "/v2/snaps/refresh", times: 10)
        await #expect(throws: DeviceAgentError.self) { try await agent.refresh() }
        #expect(try Self.lastChange(device).tasks.last?.reason?.contains("HTTP 502") == true)
        proxy.clearFaults()
        agent.retry = .once
        agent.requestTimeout = .seconds(1)
        proxy.inject(.hang(seconds: 4), on: "/v2/snaps/refresh", times: 1)
        await #expect(throws: DeviceAgentError.self) { try await agent.refresh() }
        #expect(try Self.lastChange(device).tasks.last?.reason?.contains("cannot reach the store") == true)
        #expect(try device.snaps()["myawesomesnap"]?.current == 2)
        try AgentPowerTests.expectOneWorkingRevisionPerSnap(device, "after the store's faults")
        let back = try await refresh()
        #expect(back.status == 0 && back.output.contains("refreshed from 2 to 3"), "\(back.output)")
    }

    /// A download cut by the network keeps its `.partial`; the next refresh asks for the rest.
    @Test func aDownloadCutByTheNetworkResumesAtTheNextRefresh() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        let proxy = try await FaultyStore(upstream: device.world.server.url)
        try device.release(2)
        let size = try Data(contentsOf: try device.blob(ofRevision: 2)).count
        proxy.inject(.truncate(size / 2), on: "/api/v1/snaps/download/")
        let cut = try await device.agentOffThread(["refresh", "--store", proxy.url])
        #expect(cut.status != 0, "\(cut.output)")
        #expect(try device.snaps()["myawesomesnap"]?.current == 1)
        let partial = device.folder.appendingPathComponent("snaps/myawesomesnap_2.snap.partial")
        #expect(FileManager.default.fileExists(atPath: partial.path), "kept to be resumed")

        let resumed = try await device.agentOffThread(["refresh", "--store", proxy.url])
        #expect(resumed.status == 0 && resumed.output.contains("refreshed from 1 to 2"), "\(resumed.output)")
        let ranges = proxy.recorded("/api/v1/snaps/download/").compactMap { $0.headers["range"] }
        #expect(ranges == ["bytes=\(size / 2)-"], "\(ranges)")
        try AgentPowerTests.expectOneWorkingRevisionPerSnap(device, "after the resumed download")
    }

    /// A disk that fills during a download: the write fails, the device keeps its revision, the
    /// change says why, and once there is room the refresh finishes from where it stopped.
    @Test func aFullDiskDuringADownloadLeavesTheDeviceWorking() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        try #require(try device.agent(["boot"]).status == 0)
        // A 2 MiB revision, larger than the room the disk has left.
        let big = try device.uploadVariant(of: "myawesomesnap") {
            var generator = SystemRandomNumberGenerator()
            try Data((0..<(2 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) })
                .write(to: $0.appendingPathComponent("data.bin"))
        }

        // The disk holds 512 KiB more for this process (a file size limit, SIGXFSZ ignored:
        // writes past it fail with EFBIG as they would with ENOSPC).
        let full = try device.world.store.run(
            "/bin/bash",
            [
                "-c",
                "trap '' XFSZ; ulimit -f 512; exec \"$0\" agent refresh --device \"$1\"",
                ServerProcess.binary.path, device.folder.path,
            ], in: device.world.fixture.folder)
        #expect(full.status != 0, "\(full.output)")
        #expect(try device.snaps()["myawesomesnap"]?.current == 1)
        let change = try Self.lastChange(device)
        #expect(
            change.status == .error
                && change.tasks.last { $0.status == .error }?.reason?.contains("File too large") == true, "\(change)")
        try AgentPowerTests.expectOneWorkingRevisionPerSnap(device, "after the disk filled")

        let roomy = try device.agent(["refresh"])
        #expect(
            roomy.status == 0 && roomy.output.contains("myawesomesnap refreshed from 1 to \(big)"), "\(roomy.output)")
        #expect(try device.agent(["changes"]).output.contains("resumed at byte"))
    }

    /// A snap-revision re-signed by a key that does not chain to the device's roots, served with an
    /// account-key that vouches for itself: the chain walk ends at a key the roots do not hold,
    /// and nothing is installed.
    @Test func anAssertionSignedByAKeyTheDeviceDoesNotTrustIsRefused() async throws {
        let device = try await Device.flash()
        let proxy = try await FaultyStore(upstream: device.world.server.url)
        defer { device.stop() }
        try #require(try device.agent(["boot"]).status == 0)
        try device.release(2)
        let digest = try SnapFile.open(path: try device.blob(ofRevision: 2).path).sha3_384Base64URL
        let genuine = try await device.world.server.request(.GET, "/v2/assertions/snap-revision/\(digest)")
        let real = try #require(try AssertionStream.decode(Array(genuine.body)).first, "\(genuine.text)")
        let evil = try PrivateKey.generate(bits: 1024)
        var headers = real.headers
        headers["sign-key-sha3-384"] = nil
        let forged = try AssertionSigner.sign(type: .snapRevision, headers: headers, key: evil)
        let vouching = try AssertionSigner.sign(
            headers: [
                "type": "account-key", "authority-id": .string(real.authorityID),
                "account-id": .string(real.authorityID), "name": "evil", "public-key-sha3-384": .string(evil.id),
                "since": .string(Timestamp.now().text),
            ], body: Array(evil.publicKey.encoded.utf8), key: evil)
        let assertionType = "application/x.ubuntu.assertion"
        proxy.inject(
            .serve(Data(AssertionStream.encode([forged])), contentType: assertionType),
            on: "/v2/assertions/snap-revision/", times: 5)
        proxy.inject(
            .serve(Data(AssertionStream.encode([vouching])), contentType: assertionType),
            on: "/v2/assertions/account-key/\(evil.id)", times: 5)

        let refused = try await device.agentOffThread(["refresh", "--store", proxy.url])
        #expect(refused.status != 0 && refused.output.contains("not among the trusted roots"), "\(refused.output)")
        #expect(try device.snaps()["myawesomesnap"]?.current == 1)
        let change = try Self.lastChange(device)
        #expect(
            change.status == .error
                && change.tasks.last { $0.status == .error }?.reason?.contains("not among the trusted roots") == true)
        try AgentPowerTests.expectOneWorkingRevisionPerSnap(device, "after the forged chain")
        let verified =
            (try? String(
                contentsOf: device.folder.appendingPathComponent("assertions/verified.assert"), encoding: .utf8)) ?? ""
        #expect(!verified.contains(evil.id), "nothing of the forged chain is kept")
    }
}
