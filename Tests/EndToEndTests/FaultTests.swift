import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SnapFiles
import TestSupport
import Testing

/// Faults injected for rehearsals, each observed by a client of a real `snapdepot serve`: the
/// status and how many times, the bytes a cut leaves, the byte corruption flips, the rate a
/// throttle allows, a delay; and nothing changed where no fault applies.
@Suite(.serialized, .enabled(if: SnapdSource.available, "needs snapd's source: run scripts/test"))
struct FaultTests {
    typealias World = SerialVaultTests.World

    /// `myawesomesnap`'s revision `revision`: its download path and its bytes as stored.
    static func blob(_ world: World, revision: Int) throws -> (path: String, bytes: Data) {
        let listed = try world.store.snapdepot(["revisions", "myawesomesnap", "--json"])
        let revisions = try #require(
            try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]])
        let entry = try #require(revisions.first { $0["revision"] as? Int == revision })
        let digest = try #require(entry["sha3-384"] as? String)
        let snapID = try #require(entry["snap-id"] as? String, "\(entry)")
        let file = URL(fileURLWithPath: world.data).appendingPathComponent("blobs/\(digest.prefix(2))/\(digest)")
        return ("/api/v1/snaps/download/\(snapID)_\(revision).snap", try Data(contentsOf: file))
    }

    /// A download as a client sees it arrive: the bytes, and whether the connection broke off.
    static func fetch(_ world: World, _ path: String) async throws -> (bytes: Data, broken: Bool, seconds: Double) {
        let started = Date()
        var request = HTTPClientRequest(url: world.server.url + path)
        request.headers.add(name: "Snap-Device-Architecture", value: "amd64")
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        var bytes = Data()
        do {
            for try await chunk in response.body { bytes.append(contentsOf: chunk.readableBytesView) }
        } catch {
            return (bytes, true, Date().timeIntervalSince(started))
        }
        return (bytes, false, Date().timeIntervalSince(started))
    }

    static func fault(_ world: World, _ arguments: [String]) throws -> [String: Any] {
        let added = try world.store.snapdepot(["faults", "add"] + arguments + ["--json"])
        try #require(added.status == 0, "\(arguments): \(added.output)")
        return try #require(try JSONSerialization.jsonObject(with: Data(added.output.utf8)) as? [String: Any])
    }

    @Test func eachFaultKindIsWhatAClientSees() async throws {
        let world = try await World.make()
        defer { world.stop() }
        let (path, stored) = try Self.blob(world, revision: 2)
        let refresh = Data(
            #"{"context":[],"actions":[{"action":"install","instance-key":"i","name":"myawesomesnap","channel":"stable"}]}"#
                .utf8)
        func snapAction() async throws -> ServerProcess.Reply {
            try await world.server.request(
                .POST, "/v2/snaps/refresh", body: refresh,
                headers: ["Content-Type": "application/json", "Snap-Device-Architecture": "amd64"])
        }
        let plainDownload = try await Self.fetch(world, path)
        let plainAnswer = try await snapAction()
        #expect(plainDownload.bytes == stored && !plainDownload.broken)

        // A fault elsewhere changes nothing here, byte for byte.
        _ = try Self.fault(world, ["cut", "--snap", "core", "--after-bytes", "10"])
        let untouched = try await Self.fetch(world, path)
        #expect(untouched.bytes == stored && !untouched.broken)
        let again = try await snapAction()
        #expect(again.body == plainAnswer.body, "\(again.text)\n\(plainAnswer.text)")

        // A 503 twice, in snapd's error-list, then answers as before.
        let status = try Self.fault(world, ["status", "--endpoint", "refresh", "--status", "503", "--times", "2"])
        for _ in 0..<2 {
            let refused = try await snapAction()
            #expect(refused.status == 503 && refused.text.contains("injected-fault"), "\(refused.text)")
        }
        #expect(try await snapAction().body == plainAnswer.body)
        let listed = try world.store.snapdepot(["faults", "list"])
        #expect(listed.output.contains("2 of 2"), "\(listed.output)")
        #expect(
            try world.store.snapdepot(["faults", "clear", "\(status["id"] ?? 0)"]).output.contains("1 fault cleared"))

        // Cut after 1000 bytes: the client gets exactly those, then the connection breaks.
        _ = try Self.fault(world, ["cut", "--snap", "myawesomesnap", "--revision", "2", "--after-bytes", "1000"])
        let cut = try await Self.fetch(world, path)
        #expect(cut.broken && cut.bytes == stored.prefix(1000), "\(cut.bytes.count) bytes, broken: \(cut.broken)")
        #expect(try world.store.snapdepot(["faults", "clear"]).status == 0)

        // Corrupt: the same size, one byte flipped, a digest that no longer matches.
        _ = try Self.fault(world, ["corrupt", "--snap", "myawesomesnap", "--revision", "2", "--times", "1"])
        let corrupted = try await Self.fetch(world, path)
        #expect(corrupted.bytes.count == stored.count && !corrupted.broken)
        #expect(zip(corrupted.bytes, stored).filter { $0 != $1 }.count == 1)
        #expect(try await Self.fetch(world, path).bytes == stored, "once, as --times 1 says")

        // Throttled to a quarter of the file per second: about four seconds.
        let rate = max(1, stored.count / 4)
        _ = try Self.fault(world, ["throttle", "--snap", "myawesomesnap", "--revision", "2", "--rate", "\(rate)"])
        let slow = try await Self.fetch(world, path)
        #expect(slow.bytes == stored && slow.seconds >= 3, "\(slow.seconds) s at \(rate) bytes/s")
        #expect(try world.store.snapdepot(["faults", "clear"]).status == 0)

        // A delay on the assertion service.
        _ = try Self.fault(world, ["delay", "--endpoint", "assertions", "--delay-ms", "700"])
        let started = Date()
        let declaration = try await world.server.request(.GET, "/v2/assertions/account/acme-brand")
        #expect(declaration.status == 200 && Date().timeIntervalSince(started) >= 0.7)

        // What is refused.
        for (arguments, words) in [
            (["explode"], "unknown fault kind"),
            (["cut", "--snap", "no-such-snap", "--after-bytes", "1"], "no-such-snap"),
            (["status", "--status", "404"], "500 to 599"),
            (["delay", "--delay-ms", "10", "--chance", "150"], "at most 100"),
            (["cut", "--endpoint", "refresh", "--after-bytes", "1"], "a download's"),
            (["delay", "--delay-ms", "10", "--group", "ghosts"], "no group ghosts"),
        ] {
            let refused = try world.store.snapdepot(["faults", "add"] + arguments)
            #expect(refused.status != 0 && refused.output.contains(words), "\(arguments): \(refused.output)")
        }
        let remaining = try world.store.snapdepot(["faults", "list", "--json"])
        #expect(remaining.output.contains("\"delay\"") && !remaining.output.contains("explode"))
    }
}
