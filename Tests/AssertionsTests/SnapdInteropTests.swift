import Assertions
import Foundation
import TestSupport
import Testing

/// snapdepot against snapd's real assertion code, both ways (`scripts/test` builds the checker).
@Suite(.enabled(if: SnapdSource.available, "needs snapd's source and the Go checker: run scripts/test"))
struct SnapdInteropTests {
    typealias T = TestAuthority

    @Test func snapdAcceptsEveryTypeSnapdepotSigns() throws {
        let directory = try SnapdSource.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let assertions = try EveryType.make()
        #expect(Set(assertions.map(\.type)) == Set(AssertionType.all))
        let trusted = directory.appendingPathComponent("trusted.assert")
        let stream = directory.appendingPathComponent("stream.assert")
        try Data(AssertionStream.encode([T.rootAccount, T.rootAccountKey])).write(to: trusted)
        try Data(AssertionStream.encode(assertions)).write(to: stream)
        let run = try SnapdSource.runChecker(["verify", trusted.path, stream.path])
        #expect(run.status == 0, "\(run.output)")
        let accepted = run.output.split(separator: "\n").filter { $0.hasPrefix("ok ") }
        #expect(accepted.count == assertions.count, "\(run.output)")
    }

    @Test func snapdRefusesWhatSnapdepotRefuses() throws {
        let directory = try SnapdSource.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tampered = try T.myPi3Model().encodedText.replacingOccurrences(of: "armhf", with: "arm64")
        let trusted = directory.appendingPathComponent("trusted.assert")
        let stream = directory.appendingPathComponent("stream.assert")
        try Data(AssertionStream.encode([T.rootAccount, T.rootAccountKey])).write(to: trusted)
        try Data(AssertionStream.encode([T.brandAccount, T.brandAccountKey]) + [0x0a] + Array(tampered.utf8)).write(
            to: stream)
        let run = try SnapdSource.runChecker(["verify", trusted.path, stream.path])
        #expect(run.status != 0)
        #expect(
            run.output.contains("FAIL model (my-pi3; series:16 brand-id:acme-brand): failed signature verification"))
        var database = try T.database()
        #expect(throws: AssertionError.self) { try database.add(try Assertion.decode(tampered)) }
    }

    @Test func snapdepotDecodesReencodesVerifiesAndResignsWhatSnapdSigns() throws {
        let directory = try SnapdSource.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let made = try SnapdSource.runChecker(["make", directory.path, "--root", "testrootorg"])
        try #require(made.status == 0, "\(made.output)")

        let manifest = try CheckerManifestEntry.decode(
            Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        #expect(Set(manifest.map(\.type)) == Set(AssertionType.all.map(\.name)))

        // The keys snapd signed with: its test root and store keys, read from the installed source,
        // and the brand and device keys the checker generated.
        var keys: [String: PrivateKey] = [:]
        for key in [
            try PrivateKey(
                importing: try SnapdSource.constant("TestRootPrivKey", in: "asserts/systestkeys/trusted.go")),
            try PrivateKey(
                importing: try SnapdSource.constant("TestStorePrivKey", in: "asserts/systestkeys/trusted.go")),
            try PrivateKey(
                importing: String(contentsOf: directory.appendingPathComponent("brand.key"), encoding: .utf8)),
            try PrivateKey(
                importing: String(contentsOf: directory.appendingPathComponent("device.key"), encoding: .utf8)),
        ] {
            keys[key.id] = key
        }
        // snapd's file key-pair manager stores keys in its own encoded form, named by key id.
        let snapdKeys = directory.appendingPathComponent("snapd-keys/private-keys-v1")
        let stored = try #require(try FileManager.default.contentsOfDirectory(atPath: snapdKeys.path).first)
        let fromSnapd = try PrivateKey(
            importing: String(contentsOf: snapdKeys.appendingPathComponent(stored), encoding: .utf8))
        #expect(fromSnapd.id == stored)
        #expect(keys[stored] != nil)

        for entry in manifest {
            let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(entry.file)))
            let assertion = try Assertion.decode(bytes)
            let content = try AssertionSigner.content(
                type: assertion.type, headers: assertion.signingHeaders, body: assertion.body,
                signKeyID: assertion.signKeyID)
            #expect(content == assertion.content, "\(entry.file) re-encodes differently")
            #expect(
                try AssertionSigner.minimumFormat(of: assertion.type, headers: assertion.headers) == entry.minFormat)
            // The test-store account-key is snapd's fixed fixture, signed years ago by other tooling;
            // every other assertion was signed by snapd's signer in this run.
            guard !entry.file.hasSuffix("store-account-key.assert") else { continue }
            let key = try #require(keys[assertion.signKeyID], "no key for \(entry.file)")
            let resigned = try AssertionSigner.sign(
                type: assertion.type, headers: assertion.signingHeaders, body: assertion.body, key: key,
                signingTime: try #require(assertion.signingTime))
            #expect(resigned.encodedText == assertion.encodedText, "\(entry.file) re-signs differently")
        }

        let trusted = try AssertionStream.decode(
            Array(try Data(contentsOf: directory.appendingPathComponent("trusted.assert"))))
        let stream = try AssertionStream.decode(
            Array(try Data(contentsOf: directory.appendingPathComponent("stream.assert"))))
        var database = try TrustDatabase(trusted: trusted)
        let refused = database.addAll(stream)
        #expect(refused.map { "\($0.assertion): \($0.error)" } == [])
    }

    @Test func canonicalRootAndTestRootSelfSignaturesVerify() throws {
        let account = try Assertion.decode(
            try SnapdSource.constant("encodedCanonicalAccount", in: "asserts/sysdb/trusted.go"))
        let rootKey = try AccountKey(
            try Assertion.decode(
                try SnapdSource.constant("encodedCanonicalRootAccountKey", in: "asserts/sysdb/trusted.go")))
        #expect(rootKey.accountID == "canonical")
        #expect(rootKey.publicKey.bitCount >= 4096)
        try rootKey.publicKey.verify(content: rootKey.assertion.content, signature: rootKey.assertion.signature)
        try rootKey.publicKey.verify(content: account.content, signature: account.signature)
        #expect(account.signKeyID == rootKey.keyID)

        let testRoot = try Assertion.decode(
            try SnapdSource.constant("encodedTestRootAccount", in: "asserts/systestkeys/trusted.go"))
        let testRootKey = try Assertion.decode(
            try SnapdSource.constant("encodedTestRootAccountKey", in: "asserts/systestkeys/trusted.go"))
        var database = try TrustDatabase(trusted: [testRoot, testRootKey])
        try database.add(
            try Assertion.decode(
                try SnapdSource.constant("encodedTestStoreAccountKey", in: "asserts/systestkeys/trusted.go")))
        try database.add(
            try Assertion.decode(
                try SnapdSource.constant("encodedTestRepairRootAccountKey", in: "asserts/systestkeys/trusted.go")))

        let imported = try PrivateKey(
            importing: try SnapdSource.constant("TestRootPrivKey", in: "asserts/systestkeys/trusted.go"))
        #expect(imported.id == "hIedp1AvrWlcDI4uS_qjoFLzjKl5enu4G2FYJpgB3Pj-tUzGlTQBxMBsBmi-tnJR")
        let repair = try PrivateKey(
            importing: try SnapdSource.constant("TestRepairRootPrivKey", in: "asserts/systestkeys/trusted.go"))
        #expect(repair.id == "3m-CaG9w6CoHbGp8ctHH-sqNj-sBa_M65ekmqPncNN7wOa7NQvYN4J3NMyd_DmYz")
    }
}
