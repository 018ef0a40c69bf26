import Assertions
import Testing

/// The rules of the types a brand uses after its devices leave the factory — `system-user`,
/// `repair`, `snap-developer`, `account-key-request` — and of `base-declaration`, in snapd's words
/// (`asserts/system_user.go`, `repair.go`, `snap_asserts.go`, `account_key.go`).
@Suite struct HandOffAndRepairAssertionTests {
    typealias T = TestAuthority

    static func refusal(_ headers: Headers, body: String = "", key: PrivateKey = T.brandKey) -> String {
        do {
            _ = try T.sign(headers, body: body, key: key)
            return "signed"
        } catch {
            return "\(error)"
        }
    }

    static let user: Headers = [
        "type": "system-user", "authority-id": "acme-brand", "brand-id": "acme-brand",
        "email": "factory@acme.example", "models": ["my-pi3"], "username": "acme-ops",
        "since": "2026-01-01T00:00:00Z", "until": "2027-06-01T00:00:00Z",
    ]

    @Test func aSystemUserIsRefusedAsSnapdRefusesIt() throws {
        func with(_ changes: Headers) -> Headers { Self.user.merging(changes) { $1 } }
        let cases: [(Headers, String)] = [
            (with(["email": "not an address"]), "\"email\" header must be a RFC 5322 compliant email address"),
            (with(["username": "Ops"]), "\"username\" header contains invalid characters"),
            (with(["password": "plain"]), "hashed password must be of the form"),
            (with(["password": "$1$salt$hash"]), "only supports $id$ values of 6 (sha512crypt) or higher"),
            (with(["password": "$6$rounds=10$salt$hash"]), "rounds parameter out of bounds: 10"),
            (
                with(["force-password-change": "true"]),
                "cannot use \"force-password-change\" with an empty \"password\""
            ),
            // As snapd's signer: serials need format 1, which the signer will not lower.
            (with(["serials": ["A1"]]), "lower than min format 1 covering included features"),
            (
                with(["format": "1", "serials": ["A1"], "models": ["a", "b"]]),
                "\"models\" must specify exactly one model"
            ),
            (with(["until": "2025-01-01T00:00:00Z"]), "'until' time cannot be before 'since' time"),
        ]
        for (headers, words) in cases {
            let refused = Self.refusal(headers)
            #expect(refused.contains(words), "\(words): \(refused)")
        }
        // Without models the user is for every device of the brand, and lasts a year at most.
        var everywhere = Self.user
        everywhere["models"] = nil
        #expect(Self.refusal(everywhere).contains("cannot be more than 365 days in the future"))
        everywhere["until"] = "2027-01-01T00:00:00Z"
        let user = try SystemUser(try T.sign(everywhere, key: T.brandKey))
        #expect(user.isFor(series: "16", model: "my-pi3", serial: "X", at: T.now))
        #expect(!user.isFor(series: "16", model: "my-pi3", serial: "X", at: Timestamp.parse("2027-02-01T00:00:00Z")!))
        let pinned = try SystemUser(
            try T.sign(
                with(["format": "1", "serials": ["A1000"], "password": "$6$saltsalt$hash.hash/"]), key: T.brandKey))
        #expect(pinned.isFor(series: "16", model: "my-pi3", serial: "A1000", at: T.now))
        #expect(!pinned.isFor(series: "16", model: "my-pi3", serial: "A1001", at: T.now))
        #expect(!pinned.isFor(series: "16", model: "other", serial: "A1000", at: T.now))
    }

    @Test func aRepairIsTheBrandsAndNamesRealModesAndBases() {
        let repair: Headers = [
            "type": "repair", "authority-id": "acme-brand", "brand-id": "acme-brand", "repair-id": "2",
            "summary": "fix", "timestamp": .string(T.timestamp),
        ]
        func with(_ changes: Headers) -> Headers { repair.merging(changes) { $1 } }
        for (headers, words) in [
            (with(["brand-id": "other-brand"]), "authority-id and brand-id must match"),
            (with(["repair-id": "0"]), "\"repair-id\" must be >=1: 0"),
            (with(["summary": "two\nlines"]), "\"summary\" header cannot have newlines"),
            (with(["modes": ["install"]]), "header \"modes\" contains an invalid element: \"install\""),
            (with(["modes": ["run"], "bases": ["core18"]]), "must only contain base snaps supporting recovery modes"),
            (with(["bases": ["Core"]]), "invalid snap name \"Core\" in \"bases\""),
        ] as [(Headers, String)] {
            let refused = Self.refusal(headers)
            #expect(refused.contains(words), "\(words): \(refused)")
        }
        #expect(
            Self.refusal(with(["modes": ["run", "recover"], "bases": ["core22"]]), body: "#!/bin/sh\n") == "signed")
    }

    @Test func aSnapDeveloperRevocationStandsAlone() throws {
        let developer: Headers = [
            "type": "snap-developer", "authority-id": "acme-brand", "snap-id": "myawesomesnapid00000000000000000",
            "publisher-id": "acme-brand",
        ]
        let revokedAndGranted = developer.merging([
            "developers": [
                ["developer-id": "dev-one", "since": "2026-01-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"],
                ["developer-id": "dev-one", "since": "2026-02-01T00:00:00Z"],
            ]
        ]) { $1 }
        #expect(Self.refusal(revokedAndGranted).contains("revocation for developer \"dev-one\" must be standalone"))
        let backwards = developer.merging([
            "developers": [
                ["developer-id": "dev-one", "since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"]
            ]
        ]) { $1 }
        #expect(Self.refusal(backwards).contains("must be less than or equal to \"until\""))
        // Signed by someone who is neither the publisher nor trusted: refused by the database.
        var database = try T.database()
        let stranger = try T.sign(developer.merging(["authority-id": "test-root"]) { $1 })
        #expect(throws: AssertionError.self) { try database.add(stranger) }
    }

    @Test func anAccountKeyRequestIsSignedByTheKeyItAsksFor() throws {
        let request: Headers = [
            "type": "account-key-request", "account-id": "acme-brand", "name": "workshop",
            "public-key-sha3-384": .string(T.otherKey.publicKey.id), "since": .string(T.keysSince),
        ]
        var database = try T.database()
        try database.add(try T.sign(request, body: T.otherKey.publicKey.encoded, key: T.otherKey))
        // The same request signed by another key is not the key's own request.
        let forged = try T.sign(request, body: T.otherKey.publicKey.encoded, key: T.deviceKey)
        #expect(throws: AssertionError.self) { try database.check(forged) }
        #expect(
            Self.refusal(
                request.merging(["name": "Bad Name"]) { $1 }, body: T.otherKey.publicKey.encoded, key: T.otherKey
            )
            .contains("\"name\" header contains invalid characters"))
    }
}
