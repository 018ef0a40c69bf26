import Assertions
import Foundation
import StoreCore
import StoreTestSupport
import TestSupport
import Testing

/// snapd's own store package (through `snapd-checker store-scenarios`) against a seeded snapdepot:
/// refresh decisions, brand-store visibility, bulk assertion fetches, info, find, 1,000 registered
/// devices opening sessions and meeting a 30 % rollout, and 10,000 device identities measuring
/// 10, 50 and 90 % rollouts to within 2 points, each device's answer stable.
@Suite(.enabled(if: SnapdSource.available, "needs the Go checker: run scripts/test"))
struct SnapdStoreScenarioTests {
    @Test func snapdsStorePackageGetsTheRightAnswers() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        // The checker plays 11,000 devices in one process, each with its own snapd store whose
        // connection stays open when the device is done; a real fleet's devices come hours apart.
        // A short idle timeout closes them before the connection cap (2048) makes newcomers wait.
        let server = try ServerProcess(
            data: fixture.folder.appendingPathComponent("scenarios").path,
            extraArguments: ["--testrootorg", "--idle-timeout", "3"])
        defer { server.stop() }
        let admin = server.adminToken
        func ok(_ reply: ServerProcess.Reply, _ what: String) throws {
            try #require((200..<300).contains(reply.status), "\(what): \(reply.status) \(reply.text)")
        }
        try ok(
            try await server.json(
                .POST, "/admin/v1/accounts", token: admin,
                ["username": "acme", "id": "acme-brand", "validation": "verified"]), "account")
        var snapIDs: [String: String] = [:]
        for (name, store) in [("hello-depot", nil), ("epoch-snap", nil), ("branded", "acme-store")]
            as [(String, String?)]
        {
            var body: [String: Any] = ["name": name, "publisher": "acme-brand"]
            if let store { body["store"] = store }
            let reply = try await server.json(.POST, "/admin/v1/snaps", token: admin, body)
            try ok(reply, "register \(name)")
            snapIDs[name] = try reply.json()["snap-id"] as? String
        }
        func upload(_ name: String, _ version: String, _ query: String, epoch: String = "0") async throws {
            let file = try fixture.packSnap(
                name, version: version, architectures: ["amd64"], extraYAML: "epoch: \(epoch)\n")
            try ok(
                try await server.request(
                    .POST, "/admin/v1/snaps/\(name)/revisions?\(query)", token: admin,
                    body: try Data(contentsOf: URL(fileURLWithPath: file))),
                "upload \(name) \(version)")
        }
        try await upload("hello-depot", "1", "release=stable")
        try await upload("hello-depot", "2", "release=beta")
        try await upload("hello-depot", "3", "release=candidate")
        try await upload("hello-depot", "4", "")
        try ok(
            try await server.json(
                .POST, "/admin/v1/snaps/hello-depot/releases", token: admin,
                ["revision": 4, "channels": ["candidate"], "progressive": 30]),
            "progressive release")
        try await upload("epoch-snap", "1", "release=stable")
        try await upload("epoch-snap", "2", "release=stable", epoch: "1")
        try await upload("branded", "1", "release=stable&store=acme-store")

        let brandKey = try PrivateKey.generate(bits: 2048)
        try ok(
            try await server.json(
                .POST, "/admin/v1/accounts/acme-brand/keys", token: admin,
                ["name": "models", "public-key": brandKey.publicKey.encoded]),
            "register the brand key")
        let now = Timestamp.now().text
        let model = try AssertionSigner.sign(
            headers: [
                "type": "model", "authority-id": "acme-brand", "brand-id": "acme-brand", "series": "16",
                "model": "my-pi3",
                "architecture": "amd64", "gadget": "pi3", "kernel": "pi2-kernel", "timestamp": .string(now),
            ], key: brandKey)
        let fleet = try AssertionSigner.sign(
            headers: [
                "type": "validation-set", "authority-id": "acme-brand", "account-id": "acme-brand", "series": "16",
                "name": "fleet",
                "sequence": "1", "timestamp": .string(now),
                "snaps": [
                    [
                        "name": "hello-depot", "id": .string(snapIDs["hello-depot"] ?? ""), "presence": "required",
                        "revision": "1",
                    ]
                ],
            ], key: brandKey)
        try ok(
            try await server.request(
                .POST, "/admin/v1/assertions", token: admin, body: Data(AssertionStream.encode([model, fleet]))),
            "import the model and the validation set")

        let spec: [String: Any] = [
            "url": server.url, "snap-id": snapIDs["hello-depot"] ?? "", "epoch-snap-id": snapIDs["epoch-snap"] ?? "",
            "brand-key": try brandKey.pem(), "model": model.encodedText, "devices": 1000,
            "validation-set": ["16", "acme-brand", "fleet", "1"], "admin-token": admin, "share-devices": 10_000,
            "shares": [10, 50, 90],
        ]
        let specFile = fixture.folder.appendingPathComponent("spec.json")
        try JSONSerialization.data(withJSONObject: spec).write(to: specFile)
        let run = try SnapdSource.runChecker(["store-scenarios", specFile.path])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains(" 0 failed"), "\(run.output)")
        #expect(run.output.contains("ok   the canary device gets the release targeted at its group"), "\(run.output)")
        for share in ["10", "50", "90"] {
            #expect(run.output.contains("ok   a \(share)% rollout reaches"), "\(run.output)")
        }
    }
}
