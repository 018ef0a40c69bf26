import Assertions
import Testing

@Suite struct SigningTests {
    typealias T = TestAuthority

    @Test func signsTheSeedModelAndVerifiesItAgainstTheRoot() throws {
        let model = try T.myPi3Model()
        #expect(
            model.encodedText.hasPrefix(
                """
                type: model
                authority-id: acme-brand
                series: 16
                brand-id: acme-brand
                model: my-pi3
                architecture: armhf
                gadget: pi3
                kernel: pi2-kernel
                required-snaps:
                  - myawesomesnap
                  - mysecondawesomesnap
                timestamp: 2026-01-02T00:00:00Z
                sign-key-sha3-384: \(T.brandKey.id)

                AcL
                """))
        var database = try T.database()
        try database.add(model)
        let view = try Model(model)
        #expect(view.form == .core)
        #expect(view.gadget?.name == "pi3")
        #expect(view.otherSnaps.map(\.name) == ["myawesomesnap", "mysecondawesomesnap"])
    }

    @Test func resigningWithTheSameKeyAndTimeGivesIdenticalBytes() throws {
        let first = try T.myPi3Model()
        let second = try T.myPi3Model()
        #expect(first.encoded == second.encoded)
        let later = try AssertionSigner.sign(
            headers: first.signingHeaders, body: first.body, key: T.brandKey,
            signingTime: Timestamp(seconds: T.signingTime.seconds + 1))
        #expect(later.content == first.content)
        #expect(later.signature != first.signature)
    }

    @Test func writesHeadersInSnapdOrder() throws {
        let revision = try T.sign([
            "type": "snap-revision", "authority-id": "test-root", "revision": "3",
            "snap-sha3-384": "gqd02v3fXrPUbpneO6bNekpQ9JTnlk_dPg0_5vW76f0AzZgXFWwTROtxf8Yu59l5",
            "snap-id": "abcdefghijklmnopqrstuvwxyz012345", "snap-size": "4096", "snap-revision": "1",
            "developer-id": "acme-brand", "timestamp": "2026-01-02T00:00:00Z",
        ])
        let names = revision.encodedText.split(separator: "\n", omittingEmptySubsequences: false).prefix(while: {
            !$0.isEmpty
        })
        .map { String($0.split(separator: ":")[0]) }
        // The defaulted provenance the signer was not given lands among the sorted headers (snapd quirk).
        #expect(
            names == [
                "type", "authority-id", "revision", "snap-sha3-384", "developer-id", "provenance", "snap-id",
                "snap-revision", "snap-size", "timestamp", "sign-key-sha3-384",
            ])
        let explicit = try T.sign(revision.headers.merging(["provenance": "global-upload"]) { _, new in new })
        #expect(!explicit.encodedText.contains("provenance"))
        #expect(explicit.string("provenance") == "global-upload")
    }

    @Test func bodyLengthAndBodyAreWritten() throws {
        let serial = try T.serial(body: "mac: 00:11:22:33:44:55\n")
        #expect(
            serial.encodedText.contains(
                "body-length: 23\nsign-key-sha3-384: \(T.brandKey.id)\n\nmac: 00:11:22:33:44:55\n\n\n"))
        #expect(try Assertion.decode(serial.encoded) == serial)
    }

    @Test func snapDeclarationFormatMustCoverItsRules() throws {
        var headers: Headers = [
            "type": "snap-declaration", "authority-id": "test-root", "series": "16",
            "snap-id": "abcdefghijklmnopqrstuvwxyz012345", "snap-name": "hello", "publisher-id": "acme-brand",
            "timestamp": .string(T.timestamp),
            "plugs": ["network": ["allow-auto-connection": ["on-brand": ["acme-brand"]]]],
        ]
        #expect {
            _ = try T.sign(headers)
        } throws: { error in
            (error as? AssertionError)?.message
                == "cannot sign \"snap-declaration\" assertion with format set to 0 lower than min format 3 covering included features"
        }
        headers["format"] = "3"
        let declaration = try T.sign(headers)
        #expect(declaration.format == 3)
        headers["format"] = "6"
        #expect(throws: AssertionError.self) { _ = try T.sign(headers) }
    }

    @Test(arguments: [
        (["type": "model"] as Headers, "\"authority-id\" header is mandatory"),
        (["type": "nonsense", "authority-id": "x"] as Headers, "invalid assertion type: nonsense"),
        ([:] as Headers, "missing assertion type header"),
        (["type": "serial-request", "authority-id": "x"] as Headers, "cannot have authority-id set"),
        (
            [
                "type": "account", "authority-id": "test-root", "account-id": "a/b", "display-name": "x",
                "validation": "verified", "timestamp": "2026-01-01T00:00:00Z",
            ] as Headers, "cannot contain '/'"
        ),
        (
            [
                "type": "model", "authority-id": "other", "brand-id": "acme-brand", "series": "16", "model": "m",
                "architecture": "armhf", "gadget": "pi3", "kernel": "k2", "timestamp": "2026-01-01T00:00:00Z",
            ] as Headers,
            "authority-id and brand-id must match"
        ),
    ])
    func refusesInvalidSigningRequests(headers: Headers, message: String) {
        #expect {
            _ = try T.sign(headers)
        } throws: { error in
            (error as? AssertionError)?.message.contains(message) == true
        }
    }
}
