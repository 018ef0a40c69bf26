import Foundation
import StoreTestSupport
import TestSupport
import Testing

/// Credentials as an administrator manages them from the CLI: listed by id, expiring, revoked, and
/// the admin token rotated; each stops working at its next request.
@Suite struct TokenTests {
    @Test func tokensAreListedExpireAndStopWorkingWhenRevokedOrRotated() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let data = fixture.folder.appendingPathComponent("served").path
        let server = try ServerProcess(data: data)
        defer { server.stop() }
        let store = SnapdClientTests.Store(fixture: fixture, server: server)
        func run(_ arguments: [String]) throws -> CommandResult {
            let result = try store.snapdepot(arguments)
            try #require(result.status == 0, "\(arguments): \(result.output)")
            return result
        }
        func works(_ token: String) async throws -> Bool {
            let status = try await server.request(.GET, "/admin/v1/whoami", token: token).status
            #expect(status == 200 || status == 401)
            return status == 200
        }
        _ = try run(["accounts", "create", "acme", "--id", "acme-brand"])
        let issuedAt = Date()
        let brief = try run(["accounts", "token", "acme-brand", "--description", "short", "--expires-in", "15"])
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
        let lasting = try run(["accounts", "token", "acme-brand", "--description", "ci"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let briefWorks = try await works(brief)
        let lastingWorks = try await works(lasting)
        #expect(briefWorks && lastingWorks)

        // Listed by id with their expiry; no token appears in the listing.
        let listing = try run(["tokens", "list", "--json"]).output
        let tokens = try #require(
            try JSONSerialization.jsonObject(with: Data(listing.utf8)) as? [[String: Any]], "\(listing)")
        #expect(tokens.count == 3)
        #expect(!listing.contains(brief) && !listing.contains(lasting) && !listing.contains(server.adminToken))
        let short = try #require(tokens.first { $0["description"] as? String == "short" })
        #expect(short["expires-at"] is String && short["account-id"] as? String == "acme-brand")
        let ci = try #require(tokens.first { $0["description"] as? String == "ci" }?["id"] as? String)

        _ = try run(["tokens", "revoke", ci])
        #expect(try await !works(lasting))
        #expect(try store.snapdepot(["tokens", "revoke", ci]).status != 0)
        try await Task.sleep(for: .seconds(max(0, 16 - Date().timeIntervalSince(issuedAt))))
        #expect(try await !works(brief))

        // Rotation writes the new admin token where serve said to read it; the old one is dead.
        let old = server.adminToken
        let rotated = try run(["tokens", "rotate-admin", "--data", data]).output
        #expect(!rotated.contains("sdp_"), "the new token is not printed: \(rotated)")
        let new = try String(contentsOfFile: data + "/admin-token", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let attributes = try FileManager.default.attributesOfItem(atPath: data + "/admin-token")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(new != old)
        #expect(try await works(new))
        #expect(try await !works(old))
    }
}
