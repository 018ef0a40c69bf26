import Assertions
import Foundation
import TestSupport
import Testing

/// The brand's steps after the factory, with snapd's own `snap` tool and a gpg key as the workshop
/// uses them: `snap export-key --account` and snapcraft's `register-key` endpoint register the key;
/// `snap sign` signs a `system-user` (the hand-off to a customer), a `snap-developer` and a
/// `repair` with it; the store serves each where snapd and snap-repair look for it.
@Suite(.serialized, .enabled(if: SnapdSource.available, "needs snapd's source: run scripts/test"))
struct BrandKeyAndHandOffTests {
    @Test func aBrandRegistersItsKeyThenSignsAHandOffADeveloperAndARepair() async throws {
        let store = try await SnapdClientTests.seeded()
        defer {
            store.server.stop()
            store.fixture.cleanUp()
        }
        let folder = store.fixture.folder
        let gnupg = folder.appendingPathComponent("gnupg")
        try FileManager.default.createDirectory(
            at: gnupg, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let generated = try runCommand(
            "/usr/bin/gpg",
            [
                "--homedir", gnupg.path, "--batch", "--passphrase", "", "--quick-gen-key", "workshop", "rsa4096",
                "sign", "never",
            ])
        try #require(generated.status == 0, "\(generated.output)")
        let snapCLI = try #require(SnapdSource.snapCLI)
        var environment = store.environment
        environment["SNAP_GNUPG_HOME"] = gnupg.path
        let settings = environment.map { "\($0.key)=\($0.value)" }
        /// snapd's `snap`, with the brand's gpg home; `input` is a file given as its stdin.
        func snap(_ arguments: [String], input: URL? = nil) throws -> CommandResult {
            try runCommand(
                "/bin/sh",
                ["-c", #"exec env "$@" < "$0""#, input?.path ?? "/dev/null"] + settings + [snapCLI] + arguments)
        }

        // snap export-key --account: the account-key-request, signed by the key itself (snapd signs
        // with 4096-bit keys only).
        let exported = try snap(["export-key", "--account=acme-brand", "workshop"])
        try #require(exported.status == 0, "\(exported.output)")
        let request = try Assertion.decode(exported.output)
        #expect(request.type == .accountKeyRequest)
        let keyID = request.string("public-key-sha3-384")

        // snapcraft register-key's call, with the brand's own token; another account may not.
        let tokens = try await store.server.json(
            .POST, "/admin/v1/accounts/acme-brand/tokens", token: store.server.adminToken, ["description": "brand"])
        let brandToken = try #require(try tokens.json()["token"] as? String, "\(tokens.text)")
        _ = try await store.server.json(
            .POST, "/admin/v1/accounts", token: store.server.adminToken, ["username": "eve", "id": "eve-account"])
        let eveTokens = try await store.server.json(
            .POST, "/admin/v1/accounts/eve-account/tokens", token: store.server.adminToken, ["description": "eve"])
        let eveToken = try #require(try eveTokens.json()["token"] as? String, "\(eveTokens.text)")
        func register(_ text: String, token: String) async throws -> ServerProcess.Reply {
            try await store.server.json(
                .POST, "/dev/api/account/account-key", token: token, ["account_key_request": text])
        }
        #expect(try await register(exported.output, token: eveToken).status == 403)
        let tampered = exported.output.replacingOccurrences(of: "name: workshop", with: "name: workshop2")
        let refused = try await register(tampered, token: brandToken)
        #expect(refused.status == 400 && refused.text.contains("does not verify"), "\(refused.text)")
        let registered = try await register(exported.output, token: brandToken)
        #expect(registered.status == 200, "\(registered.text)")
        let accountKey = try Assertion.decode(try #require(try registered.json()["account_key"] as? String))
        #expect(accountKey.type == .accountKey && accountKey.string("account-id") == "acme-brand")
        #expect(accountKey.string("public-key-sha3-384") == keyID && accountKey.string("name") == "workshop")
        let known = try snap(["known", "--remote", "account-key", "public-key-sha3-384=\(keyID)"])
        #expect(known.status == 0 && known.output.contains("name: workshop"), "\(known.output)")
        // What snapcraft list-keys reads.
        let account = try await store.server.request(.GET, "/dev/api/account", token: brandToken)
        #expect(account.text.contains(keyID), "\(account.text)")

        // snap sign with the registered key: a system-user for one device, a snap-developer, a repair.
        let snapID = try #require(
            try await store.server.request(
                .GET, "/admin/v1/snaps/hello-depot/status", token: store.server.adminToken
            ).json()["snap-id"] as? String)
        let now = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-60))
        let documents: [(String, [String: Any], String?)] = [
            (
                "system-user",
                [
                    "type": "system-user", "authority-id": "acme-brand", "brand-id": "acme-brand", "format": "1",
                    "email": "customer@example.com", "models": ["my-pi3"], "serials": ["A1000"],
                    "username": "customer", "name": "The customer", "since": now, "until": "2030-01-01T00:00:00Z",
                ], nil
            ),
            (
                "snap-developer",
                [
                    "type": "snap-developer", "authority-id": "acme-brand", "publisher-id": "acme-brand",
                    "snap-id": snapID, "developers": [["developer-id": "acme-brand", "since": now]],
                ], nil
            ),
            (
                "repair",
                [
                    "type": "repair", "authority-id": "acme-brand", "brand-id": "acme-brand", "repair-id": "1",
                    "summary": "restore the network configuration", "architectures": ["amd64"], "timestamp": now,
                    "body-length": "25",
                ], "#!/bin/sh\necho repaired\n"
            ),
        ]
        var signed: [String: String] = [:]
        for (name, headers, body) in documents {
            var document = headers
            if let body { document["body"] = body }
            let file = folder.appendingPathComponent("\(name).json")
            try JSONSerialization.data(withJSONObject: document).write(to: file)
            let result = try snap(["sign", "-k", "workshop"], input: file)
            try #require(result.status == 0, "\(name): \(result.output)")
            signed[name] = result.output
        }
        let imported = try await store.server.request(
            .POST, "/admin/v1/assertions", token: store.server.adminToken,
            body: Data(signed.values.joined(separator: "\n").utf8),
            headers: ["Content-Type": "application/x.ubuntu.assertion"])
        #expect(imported.status == 200, "\(imported.text)")
        let user = try snap(["known", "--remote", "system-user", "brand-id=acme-brand", "email=customer@example.com"])
        #expect(user.status == 0 && user.output.contains("username: customer"), "\(user.output)")
        let developer = try snap([
            "known", "--remote", "snap-developer", "snap-id=\(snapID)", "publisher-id=acme-brand",
        ])
        #expect(developer.status == 0 && developer.output.contains("developer-id: acme-brand"), "\(developer.output)")

        // snap-repair's fetch: the repair and what verifies it, an ETag of its revision, a peek.
        let fetched = try await store.server.request(
            .GET, "/v2/repairs/acme-brand/1", headers: ["Accept": "application/x.ubuntu.assertion"])
        #expect(fetched.status == 200 && fetched.headers.first(name: "ETag") == "\"0\"", "\(fetched.status)")
        let stream = try AssertionStream.decode(Array(fetched.body))
        #expect(stream.first?.type == .repair && stream.contains { $0.string("public-key-sha3-384") == keyID })
        // As a device holds them: the store's root trusted, its account-key known.
        let trust = try await store.server.request(.GET, "/admin/v1/trust").json()
        let trusted = folder.appendingPathComponent("trusted.assert")
        try Data(try #require(trust["trusted"] as? String).utf8).write(to: trusted)
        let streamFile = folder.appendingPathComponent("repair.assert")
        try Data(try #require(trust["store-account-key"] as? String).utf8 + [0x0a] + fetched.body).write(
            to: streamFile)
        let checked = try SnapdSource.runChecker(["verify", trusted.path, streamFile.path])
        #expect(checked.status == 0 && checked.output.contains("ok repair"), "\(checked.output)")
        let unchanged = try await store.server.request(
            .GET, "/v2/repairs/acme-brand/1",
            headers: ["Accept": "application/x.ubuntu.assertion", "If-None-Match": "\"0\""])
        #expect(unchanged.status == 304)
        let peek = try await store.server.request(
            .GET, "/v2/repairs/acme-brand/1", headers: ["Accept": "application/json"])
        let headers = try #require(try peek.json()["headers"] as? [String: Any], "\(peek.text)")
        #expect(headers["summary"] as? String == "restore the network configuration")
        #expect(try await store.server.request(.GET, "/v2/repairs/acme-brand/2").status == 404)
    }
}
