import Assertions
import Foundation
import TestSupport
import Testing

/// Assertions signed by snapd's own code (Fixtures/golden, made by `scripts/regenerate-golden`):
/// snapdepot must decode them, encode the same bytes from their header values, agree on the
/// minimum format, and verify the whole chain.
@Suite struct GoldenAssertionTests {
    static let manifest: [CheckerManifestEntry] = {
        guard let data = try? Fixture.bytes("golden/manifest.json") else { return [] }
        return (try? CheckerManifestEntry.decode(Data(data))) ?? []
    }()

    @Test func manifestCoversEveryType() {
        let covered = Set(Self.manifest.map(\.type))
        #expect(covered == Set(AssertionType.all.map(\.name)))
    }

    @Test(arguments: manifest.map(\.file))
    func encodesSnapdBytesFromHeaderValues(file: String) throws {
        let bytes = try Fixture.bytes("golden/\(file)")
        let assertion = try Assertion.decode(bytes)
        let reencoded = try AssertionSigner.content(
            type: assertion.type, headers: assertion.signingHeaders, body: assertion.body,
            signKeyID: assertion.signKeyID)
        #expect(String(decoding: reencoded, as: UTF8.self) == String(decoding: assertion.content, as: UTF8.self))
        #expect(assertion.encoded == bytes)
        let entry = try #require(Self.manifest.first { $0.file == file })
        #expect(assertion.type.name == entry.type)
        #expect(try AssertionSigner.minimumFormat(of: assertion.type, headers: assertion.headers) == entry.minFormat)
    }

    @Test func verifiesTheWholeChain() throws {
        let trusted = try AssertionStream.decode(try Fixture.bytes("golden/trusted.assert"))
        let stream = try AssertionStream.decode(try Fixture.bytes("golden/stream.assert"))
        #expect(stream.count == Self.manifest.count)
        var database = try TrustDatabase(trusted: trusted)
        let refused = database.addAll(stream)
        #expect(refused.map { "\($0.assertion): \($0.error)" } == [])
        #expect(AssertionStream.encode(stream) == (try Fixture.bytes("golden/stream.assert")))
    }
}
