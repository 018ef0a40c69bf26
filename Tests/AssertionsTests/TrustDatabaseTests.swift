import Assertions
import Testing

@Suite struct TrustDatabaseTests {
    typealias T = TestAuthority

    private func refusal(_ assertion: Assertion, in database: TrustDatabase) -> String? {
        var copy = database
        do {
            try copy.add(assertion)
            return nil
        } catch {
            return error.message
        }
    }

    @Test func unknownSigningKeyIsNamed() throws {
        let stranger = try T.myPi3Model().signingHeaders
        let signed = try AssertionSigner.sign(headers: stranger, key: T.otherKey, signingTime: T.signingTime)
        let reason = try #require(refusal(signed, in: try T.database()))
        #expect(reason.hasPrefix("account-key \(T.otherKey.id) not found"))
    }

    @Test func oneTamperedByteBreaksTheSignature() throws {
        let model = try T.myPi3Model()
        var text = model.encodedText
        text = text.replacingOccurrences(of: "architecture: armhf", with: "architecture: armhg")
        let tampered = try Assertion.decode(text)
        #expect(refusal(tampered, in: try T.database())?.contains("failed signature verification") == true)
    }

    @Test func signerMustBeTheAuthority() throws {
        // The brand's key signing as the root: the key exists but belongs to another account.
        let forged = try T.sign(
            [
                "type": "account", "authority-id": "test-root", "account-id": "mallory", "display-name": "M",
                "validation": "verified", "timestamp": .string(T.timestamp),
            ], key: T.brandKey)
        #expect(
            refusal(forged, in: try T.database())
                == "found public key \"\(T.brandKey.id)\" from \"acme-brand\" but expected it from: test-root")
    }

    @Test func onlyTrustedAuthoritiesSignAccounts() throws {
        let account = try T.sign(
            [
                "type": "account", "authority-id": "acme-brand", "account-id": "mallory", "display-name": "M",
                "validation": "verified", "timestamp": .string(T.timestamp),
            ], key: T.brandKey)
        #expect(
            refusal(account, in: try T.database())
                == "account assertion for \"mallory\" is not signed by a directly trusted authority: acme-brand")
    }

    @Test func timestampOutsideKeyValidity() throws {
        var database = try T.database()
        let expiring = try T.accountKey(for: "acme-brand", name: "old", key: T.otherKey, until: "2026-01-01T00:00:00Z")
        database.now = Timestamp.parse("2025-12-15T00:00:00Z")!
        try database.add(expiring)
        let late = try AssertionSigner.sign(
            headers: try T.myPi3Model().signingHeaders, key: T.otherKey, signingTime: T.signingTime)
        #expect(refusal(late, in: database)?.contains("outside of signing key validity") == true)
        database.now = T.now
        #expect(refusal(late, in: database)?.contains("assertion is signed with expired public key") == true)
    }

    @Test func prerequisitesMustBePresent() throws {
        var database = try TrustDatabase(trusted: [T.rootAccount, T.rootAccountKey], now: T.now)
        #expect(
            refusal(T.brandAccountKey, in: database)
                == "account-key assertion for \"acme-brand\" does not have a matching account assertion")
        let refused = database.addAll([try T.myPi3Model(), T.brandAccountKey, T.brandAccount])
        #expect(refused.isEmpty)
    }

    @Test func snapRevisionNeedsItsDeclaration() throws {
        var database = try T.database()
        let revision = try T.sign([
            "type": "snap-revision", "authority-id": "test-root",
            "snap-sha3-384": "gqd02v3fXrPUbpneO6bNekpQ9JTnlk_dPg0_5vW76f0AzZgXFWwTROtxf8Yu59l5",
            "snap-id": "abcdefghijklmnopqrstuvwxyz012345", "snap-size": "4096", "snap-revision": "1",
            "developer-id": "acme-brand", "timestamp": .string(T.timestamp),
        ])
        #expect(
            refusal(revision, in: database)
                == "snap-revision assertion for snap id \"abcdefghijklmnopqrstuvwxyz012345\" does not have a matching snap-declaration assertion"
        )
        try database.add(
            try T.sign([
                "type": "snap-declaration", "authority-id": "test-root", "series": "16",
                "snap-id": "abcdefghijklmnopqrstuvwxyz012345", "snap-name": "hello", "publisher-id": "acme-brand",
                "timestamp": .string(T.timestamp),
            ]))
        try database.add(revision)
        #expect(database.find(AssertionReference(.snapRevision, [revision.string("snap-sha3-384")])) == revision)
    }

    @Test func revisionsOnlyMoveForward() throws {
        var database = try T.database()
        let first = try T.myPi3Model(extra: ["revision": "2"])
        try database.add(first)
        try database.add(first)
        #expect(refusal(try T.myPi3Model(extra: ["revision": "1"]), in: database)?.contains("is not newer") == true)
        try database.add(try T.myPi3Model(extra: ["revision": "3"]))
    }

    @Test func trustedAssertionsCannotBeReplaced() throws {
        let database = try T.database()
        let replacement = try T.sign([
            "type": "account", "authority-id": "test-root", "account-id": "test-root", "revision": "1",
            "display-name": "Evil Root", "validation": "verified", "timestamp": .string(T.timestamp),
        ])
        #expect(refusal(replacement, in: database)?.contains("clashing with a trusted assertion") == true)
    }

    @Test func deviceSignedAssertionsAreCheckedAgainstTheDeviceKey() throws {
        var database = try T.database()
        try database.add(try T.myPi3Model())
        let serial = try T.serial()
        try database.add(serial)
        let session: Headers = [
            "type": "device-session-request", "brand-id": "acme-brand", "model": "my-pi3", "serial": "A1",
            "nonce": "n1", "timestamp": .string(T.timestamp),
        ]
        try database.check(try T.sign(session, key: T.deviceKey))
        #expect(
            refusal(try T.sign(session, key: T.otherKey), in: database)
                == "device-session-request is not signed by the device key of serial (A1; brand-id:acme-brand model:my-pi3)"
        )
        let request = try T.sign(
            [
                "type": "serial-request", "brand-id": "acme-brand", "model": "my-pi3", "request-id": "r1",
                "device-key": .string(T.deviceKey.publicKey.encoded),
            ], key: T.deviceKey)
        try database.check(request)
        #expect {
            _ = try T.sign(
                [
                    "type": "serial-request", "brand-id": "acme-brand", "model": "my-pi3", "request-id": "r1",
                    "device-key": .string(T.deviceKey.publicKey.encoded),
                ], key: T.otherKey)
        } throws: {
            ($0 as? AssertionError)?.message.contains("device key does not match included signing key id") == true
        }
    }

    @Test func serialFromAnotherAuthorityNeedsTheModelsPermission() throws {
        var database = try T.database()
        let other = try T.sign([
            "type": "account", "authority-id": "test-root", "account-id": "factory", "display-name": "Factory",
            "validation": "unproven", "timestamp": .string(T.timestamp),
        ])
        try database.add(other)
        try database.add(try T.accountKey(for: "factory", name: "serials", key: T.otherKey))
        let serial = try T.serial("F1", authority: "factory", key: T.otherKey)
        try database.add(try T.myPi3Model())
        #expect(
            refusal(serial, in: database)?.hasPrefix("serial with authority \"factory\" different from brand") == true)
        try database.add(try T.myPi3Model(extra: ["revision": "1", "serial-authority": ["factory"]]))
        try database.add(serial)
    }
}
