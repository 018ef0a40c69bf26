import Assertions
import Foundation
import StoreTestSupport
import TestSupport
import Testing

/// The serial vault, the inventory and the factory, judged by snapd's own code: the Go checker
/// registers a device as snapd's devicestate does and opens a session through snapd's store
/// package; `factory flash` makes devices whose serials snapd verifies.
@Suite(.serialized, .enabled(if: SnapdSource.available, "needs snapd's source: run scripts/test"))
struct SerialVaultTests {
    /// The workshop's world in a fresh store, served.
    struct World {
        let fixture: StoreFixture
        let data: String
        let server: ServerProcess
        let store: SnapdClientTests.Store

        static func make(serverArguments: [String] = []) async throws -> World {
            let fixture = try await StoreFixture.make()
            let data = fixture.folder.appendingPathComponent("workshop").path
            let loaded = try runCommand(
                ServerProcess.binary.path,
                ["seed-data", "load", "--data", data, "--seed-data", SeedDataTests.seedData.path, "--key-bits", "2048"])
            try #require(loaded.status == 0, "\(loaded.output)")
            let server = try ServerProcess(data: data, extraArguments: serverArguments)
            return World(
                fixture: fixture, data: data, server: server,
                store: SnapdClientTests.Store(fixture: fixture, server: server))
        }

        func model(_ name: String) async throws -> String {
            let reply = try await server.request(.GET, "/v2/assertions/model/16/acme-brand/\(name)")
            try #require(reply.status == 200, "\(reply.text)")
            return reply.text
        }

        /// `image build --tar` of the workshop's `my-pi3-amd64`: the archive the factory flashes.
        func imageArchive() async throws -> URL {
            let folder = fixture.folder
            let modelFile = folder.appendingPathComponent("my-pi3-amd64.model")
            try Data(try await model("my-pi3-amd64").utf8).write(to: modelFile)
            let image = folder.appendingPathComponent("my-pi3.tar")
            let built = try store.snapdepot([
                "image", "build", modelFile.path, "--output", folder.appendingPathComponent("image").path, "--tar",
                image.path,
            ])
            try #require(built.status == 0, "\(built.output)")
            return image
        }

        /// Packs a variant of a seed-data snap (`change` edits its folder), uploads it (released to
        /// stable unless `release` is false), and returns its revision.
        func uploadVariant(of name: String, release: Bool = true, _ change: (URL) throws -> Void) throws -> Int {
            let source = fixture.folder.appendingPathComponent("\(name)-\(UUID().uuidString)")
            try FileManager.default.copyItem(
                at: SeedDataTests.seedData.appendingPathComponent("snaps/\(name)"), to: source)
            try change(source)
            let file = source.appendingPathExtension("snap")
            let packed = try store.snapdepot(["pack", source.path, "--output", file.path])
            try #require(packed.status == 0, "\(packed.output)")
            let uploaded = try store.snapdepot(
                ["upload", file.path, "--json"] + (release ? ["--release", "stable"] : []))
            try #require(uploaded.status == 0, "\(uploaded.output)")
            return try #require(
                (try JSONSerialization.jsonObject(with: Data(uploaded.output.utf8)) as? [String: Any])?["revision"]
                    as? Int)
        }

        func stop() {
            server.stop()
            fixture.cleanUp()
        }
    }

    @Test func snapdRegistersADeviceThenOpensASessionAndTheInventoryShowsIt() async throws {
        let world = try await World.make(serverArguments: ["--serial-approval-delay", "1"])
        defer { world.stop() }
        let status = try await world.server.request(
            .GET, "/admin/v1/snaps/myawesomesnap/status", token: world.server.adminToken)
        let snapID = try #require(try status.json()["snap-id"] as? String, "\(status.text)")
        let spec: [String: Any] = [
            "url": world.server.url, "trusted": world.data + "/trusted.assert",
            "model": try await world.model("my-pi3"),
            "brand-key": try String(contentsOfFile: world.data + "/brand-keys/acme-models.pem", encoding: .utf8),
            "key-bits": 4096, "snap-id": snapID, "snap-name": "myawesomesnap",
        ]
        let specFile = world.fixture.folder.appendingPathComponent("register.json")
        try JSONSerialization.data(withJSONObject: spec).write(to: specFile)
        let checked = try SnapdSource.runChecker(["register-device", specFile.path])
        #expect(checked.status == 0, "\(checked.output)")
        #expect(!checked.output.contains("FAIL"), "\(checked.output)")
        for line in [
            "the serial verifies in snapd's assertion database",
            "the device opened a session (nonce + device-session-request)",
            "a refresh carrying the session gets candidate's revision 2", "a replayed request-id is refused",
            "a second serial for a registered device key is refused", "a tampered serial-request is refused",
            "a serial-request with a request-id the store never issued is refused",
            "a request for a model the store does not hold is refused",
            "a model signed by an unregistered key is refused",
        ] {
            #expect(checked.output.contains("ok   \(line)"), "\(line): \(checked.output)")
        }
        // The vault kept the device waiting (202) for the configured second at least once.
        #expect(!checked.output.contains("after 0 polls"), "\(checked.output)")
        let serialLine = try #require(checked.output.split(separator: "\n").first { $0.hasPrefix("serial: ") })
        let serial = String(serialLine.dropFirst("serial: ".count))

        let shown = try world.store.snapdepot([
            "devices", "show", serial, "--brand", "acme-brand", "--model", "my-pi3", "--json",
        ])
        try #require(shown.status == 0, "\(shown.output)")
        let detail = try #require(try JSONSerialization.jsonObject(with: Data(shown.output.utf8)) as? [String: Any])
        let device = try #require(detail["device"] as? [String: Any])
        #expect(device["registered-at"] is Int && device["last-session"] is Int, "\(device)")
        #expect((detail["serial-assertion"] as? String)?.hasPrefix("type: serial\n") == true)

        // A brand sees its own devices; another account sees none of them.
        let other = try await world.server.json(
            .POST, "/admin/v1/accounts", token: world.server.adminToken, ["username": "someone-else"])
        let otherID = try #require(try other.json()["id"] as? String)
        let token = try await world.server.json(
            .POST, "/admin/v1/accounts/\(otherID)/tokens", token: world.server.adminToken, [:])
        let otherToken = try #require(try token.json()["token"] as? String)
        let forbidden = try await world.server.request(.GET, "/admin/v1/devices?brand=acme-brand", token: otherToken)
        #expect(forbidden.status == 403, "\(forbidden.text)")
        let own = try await world.server.request(.GET, "/admin/v1/devices", token: otherToken)
        #expect(own.status == 200 && own.text == "[]", "\(own.text)")
    }

    @Test func factoryFlashesTwentyDevicesWhoseSerialsSnapdVerifies() async throws {
        let world = try await World.make()
        defer { world.stop() }
        let folder = world.fixture.folder
        let image = try await world.imageArchive()
        let devices = folder.appendingPathComponent("devices")
        let flashed = try world.store.snapdepot([
            "factory", "flash", image.path, "--devices", "20", "--out", devices.path, "--key-bits", "1024", "--json",
        ])
        try #require(flashed.status == 0, "\(flashed.output)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(flashed.output.utf8)) as? [[String: Any]])
        let serials = Set(list.compactMap { $0["serial"] as? String })
        #expect(list.count == 20 && serials.count == 20, "\(flashed.output)")

        let listed = try world.store.snapdepot(["devices", "list", "--model", "my-pi3-amd64", "--json"])
        let inventory = try #require(
            try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [[String: Any]])
        #expect(Set(inventory.compactMap { $0["serial"] as? String }) == serials, "\(listed.output)")

        // Each device folder: its key private, its snaps installed, its serial verified by snapd.
        var streams: [String] = []
        for number in 1...20 {
            let device = devices.appendingPathComponent(String(format: "device-%04d", number))
            let mode =
                try FileManager.default.attributesOfItem(
                    atPath: device.appendingPathComponent("device-key.pem").path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let snaps = try FileManager.default.contentsOfDirectory(atPath: device.appendingPathComponent("snaps").path)
            #expect(
                snaps.sorted() == [
                    "core_1.snap", "myawesomesnap_1.snap", "mysecondawesomesnap_1.snap",
                    "pi2-kernel_1.snap", "pi3_1.snap",
                ], "\(snaps)")
            streams += ["assertions/model.assert", "assertions/serial.assert"].map {
                device.appendingPathComponent($0).path
            }
        }
        let verified = try SnapdSource.runChecker(["verify", world.data + "/trusted.assert"] + streams)
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.components(separatedBy: "ok serial").count - 1 == 20, "\(verified.output)")

        // More devices are numbered after those already there; a broken image writes nothing.
        let more = try world.store.snapdepot([
            "factory", "flash", image.path, "--devices", "1", "--out", devices.path, "--key-bits", "1024",
        ])
        #expect(more.status == 0 && more.output.contains("device-0021"), "\(more.output)")
        let junk = folder.appendingPathComponent("junk.tar")
        try Data("not a tar".utf8).write(to: junk)
        let refused = try world.store.snapdepot([
            "factory", "flash", junk.path, "--devices", "2", "--out", folder.appendingPathComponent("none").path,
        ])
        #expect(refused.status != 0 && refused.output.contains("not a tar archive"), "\(refused.output)")
        #expect(
            (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent("none").path)) == [])
        // A store that is not there fails the run before any key is made, and writes nothing.
        let away = try world.store.snapdepot([
            "factory", "flash", image.path, "--devices", "2", "--out", folder.appendingPathComponent("away").path,
            "--store", "http://127.0.0.1:9",
        ])
        #expect(away.status != 0 && away.output.contains("cannot reach the store"), "\(away.output)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("away").path))
    }

    /// A brand's vault signs for whom its policy allows: with an API key only for the factory (or
    /// the device at first boot) that presents it, with serial patterns only for matching proposals;
    /// `serve` shows the policies at start.
    @Test func aBrandsVaultSignsOnlyForTheDevicesItsPolicyAllows() async throws {
        var world = try await World.make()
        defer { world.stop() }
        let folder = world.fixture.folder
        let image = try await world.imageArchive()
        func flash(_ out: String, _ extra: [String]) throws -> CommandResult {
            try world.store.snapdepot(
                [
                    "factory", "flash", image.path, "--devices", "1", "--key-bits", "1024", "--out",
                    folder.path + "/" + out,
                ]
                    + extra)
        }

        let made = try world.store.snapdepot(["vault", "policy", "--account", "acme-brand", "--api-key", "--json"])
        try #require(made.status == 0, "\(made.output)")
        let policy = try #require(try JSONSerialization.jsonObject(with: Data(made.output.utf8)) as? [String: Any])
        let apiKey = try #require(policy["api-key"] as? String)
        #expect(policy["mode"] as? String == "api-key")
        let shown = try world.store.snapdepot(["vault", "policy", "--account", "acme-brand"])
        #expect(
            shown.status == 0 && shown.output.contains("api-key") && !shown.output.contains(apiKey), "\(shown.output)")
        let keyFile = folder.appendingPathComponent("vault-api-key")
        try Data((apiKey + "\n").utf8).write(to: keyFile)
        let wrongKeyFile = folder.appendingPathComponent("wrong-api-key")
        try Data("sdv_wrong".utf8).write(to: wrongKeyFile)

        let withoutKey = try flash("no-key", [])
        #expect(withoutKey.status != 0 && withoutKey.output.contains("API key"), "\(withoutKey.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/no-key").isEmpty)
        let wrongKey = try flash("wrong-key", ["--vault-api-key-file", wrongKeyFile.path])
        #expect(wrongKey.status != 0 && wrongKey.output.contains("API key"), "\(wrongKey.output)")
        let withKey = try flash("with-key", ["--vault-api-key-file", keyFile.path])
        #expect(withKey.status == 0, "\(withKey.output)")
        #expect(FileManager.default.fileExists(atPath: folder.path + "/with-key/device-0001/assertions/serial.assert"))

        // At first boot the device presents the key the factory left it, as a gadget's hook would.
        let later = try flash("first-boot", ["--vault-api-key-file", keyFile.path, "--register-at", "first-boot"])
        try #require(later.status == 0, "\(later.output)")
        let booted = try world.store.snapdepot(["agent", "boot", "--device", folder.path + "/first-boot/device-0001"])
        #expect(booted.status == 0 && !booted.output.contains("serial none"), "\(booted.output)")
        let bare = try flash("first-boot-bare", ["--register-at", "first-boot"])
        try #require(bare.status == 0, "\(bare.output)")
        let refusedAtBoot = try world.store.snapdepot([
            "agent", "boot", "--device", folder.path + "/first-boot-bare/device-0001",
        ])
        #expect(refusedAtBoot.output.contains("API key"), "\(refusedAtBoot.output)")

        // Serial patterns: a device must propose a serial the brand allows; the API key is gone.
        let patterns = try world.store.snapdepot([
            "vault", "policy", "--account", "acme-brand", "--serial", "LINE1-*", "--serial", "QA-????",
        ])
        #expect(patterns.status == 0 && patterns.output.contains("LINE1-*"), "\(patterns.output)")
        let unproposed = try flash("unproposed", ["--vault-api-key-file", keyFile.path])
        #expect(unproposed.status != 0 && unproposed.output.contains("proposed none"), "\(unproposed.output)")
        let otherLine = try flash("line2", ["--serial-prefix", "LINE2"])
        #expect(otherLine.status != 0 && otherLine.output.contains("LINE2-0001 is not one"), "\(otherLine.output)")
        let allowed = try flash("line1", ["--serial-prefix", "LINE1", "--json"])
        #expect(allowed.status == 0 && allowed.output.contains("\"LINE1-0001\""), "\(allowed.output)")

        world.server.stop()
        let restarted = try ServerProcess(data: world.data)
        world = World(
            fixture: world.fixture, data: world.data, server: restarted,
            store: SnapdClientTests.Store(fixture: world.fixture, server: restarted))
        #expect(
            world.server.startText.contains("acme-brand: serials: devices proposing a serial matching LINE1-*, QA-????")
        )

        let reopened = try world.store.snapdepot(["vault", "policy", "--account", "acme-brand", "--open"])
        #expect(reopened.status == 0 && reopened.output.contains("open"), "\(reopened.output)")
        let open = try flash("open", [])
        #expect(open.status == 0, "\(open.output)")
        let unknown = try world.store.snapdepot(["vault", "policy", "--account", "nobody", "--open"])
        #expect(unknown.status != 0 && unknown.output.contains("no account"), "\(unknown.output)")
    }

    @Test func aFactoryGivesUpOnAVaultThatKeepsItWaiting() async throws {
        let world = try await World.make(serverArguments: ["--serial-approval-delay", "3600"])
        defer { world.stop() }
        let folder = world.fixture.folder
        let image = try await world.imageArchive()
        let devices = folder.appendingPathComponent("devices")
        let waited = try world.store.snapdepot([
            "factory", "flash", image.path, "--devices", "2", "--out", devices.path, "--key-bits", "1024",
            "--retry-wait", "1", "--approval-timeout", "2",
        ])
        #expect(waited.status != 0 && waited.output.contains("2 of 2 devices failed"), "\(waited.output)")
        #expect(waited.output.contains("still asks to wait"), "\(waited.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: devices.path).isEmpty)
    }

    @Test func theVaultAnswersWhereSnapdLooksAndRefusesBadRequestsInItsFormat() async throws {
        let world = try await World.make()
        defer { world.stop() }
        let wrongType = try await world.server.request(
            .POST, "/api/v1/snaps/auth/devices", body: Data("{}".utf8))
        let errors = try wrongType.json()["error_list"] as? [[String: Any]]
        let message = errors?.first?["message"] as? String ?? ""
        #expect(wrongType.status == 415 && message.contains("application/x.ubuntu.assertion"), "\(wrongType.text)")
        // A device with both a proxy store and a gadget device-service.url asks the proxy first.
        let head = try await world.server.request(.HEAD, "/")
        #expect(head.status == 200 && (Int(head.headers["Snap-Store-Version"].first ?? "") ?? 0) >= 6)
        let gadgetPath = try await world.server.request(.POST, "/serial-vault/request-id")
        let requestID = try gadgetPath.json()["request-id"] as? String
        #expect(gadgetPath.status == 200 && requestID?.count == 32, "\(gadgetPath.text)")

        // Both serial paths issue; a client without `serial-stream` (snapd before 2.38) gets the
        // serial alone, one with it the serial and its chain.
        let model = try Assertion.decode(try await world.model("my-pi3"))
        for (path, capabilities, expected) in [
            ("/serial-vault/serial", [String: String](), ["serial"]),
            (
                "/api/v1/snaps/auth/devices", ["Snap-Device-Capabilities": "serial-stream"],
                ["serial", "account-key", "account", "account-key"]
            ),
        ] {
            let id = try #require(
                try await world.server.request(.POST, "/serial-vault/request-id").json()["request-id"] as? String)
            let key = try PrivateKey.generate(bits: 1024)
            let request = try AssertionSigner.sign(
                type: .serialRequest,
                headers: [
                    "brand-id": "acme-brand", "model": "my-pi3", "request-id": .string(id),
                    "device-key": .string(key.publicKey.encoded),
                ], key: key)
            let answer = try await world.server.request(
                .POST, path, body: Data(AssertionStream.encode([request, model])),
                headers: capabilities.merging(["Content-Type": "application/x.ubuntu.assertion"]) { a, _ in a })
            try #require(answer.status == 200, "\(path): \(answer.text)")
            let stream = try AssertionStream.decode(Array(answer.body))
            #expect(stream.map(\.type.name) == expected, "\(path)")
        }
    }
}
