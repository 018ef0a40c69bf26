import DepotCrypto
import StoreCore
import Testing

/// Macaroons as pymacaroons writes and binds them (the craft-store conformance run checks the
/// same against pymacaroons itself).
@Suite struct MacaroonTests {
    let rootKey = Array("store secret".utf8)
    let caveatKey = Array("caveat key".utf8)

    @Test func serializationRoundTrips() throws {
        let root = Macaroon(location: "snapdepot", identifier: Array("session-1".utf8), key: rootKey)
            .addingFirstPartyCaveat("account = acme")
            .addingThirdPartyCaveat(location: "127.0.0.1:8080", id: Array("caveat-1".utf8))
        let parsed = try Macaroon(serialized: root.serialized())
        #expect(parsed == root)
        #expect(parsed.caveats.map(\.isThirdParty) == [false, true])
        #expect(parsed.caveats[1].location == "127.0.0.1:8080")
        #expect(!root.serialized().contains("="))
    }

    @Test func knownVectorMatchesTheMacaroonsLibraries() {
        // The first example of the libmacaroons README, which pymacaroons reproduces.
        let macaroon = Macaroon(
            location: "http://mybank/", identifier: Array("we used our secret key".utf8),
            key: Array("this is our super secret key; only we should know it".utf8))
        #expect(
            macaroon.signature.map { String(format: "%02x", $0) }.joined()
                == "e3d9e02908526c4c0039ae15114115d97fdd68bf2ba379b342aaf0f617d0552f")
    }

    @Test func boundDischargesVerifyAndTamperingFails() throws {
        let root = Macaroon(location: "snapdepot", identifier: Array("session-1".utf8), key: rootKey)
            .addingThirdPartyCaveat(location: "sso", id: Array("caveat-1".utf8))
        let discharge = Macaroon(location: "sso", identifier: Array("caveat-1".utf8), key: caveatKey)
        let bound = root.binding(discharge)
        #expect(root.hasValidSignature(key: rootKey))
        #expect(root.verifiesDischarge(bound, caveatKey: caveatKey))
        #expect(!root.verifiesDischarge(discharge, caveatKey: caveatKey))
        #expect(!root.verifiesDischarge(bound, caveatKey: Array("wrong".utf8)))
        #expect(!root.hasValidSignature(key: Array("other secret".utf8)))
        let forged = Macaroon(location: "snapdepot", identifier: Array("session-2".utf8), key: Array("guess".utf8))
        #expect(!forged.hasValidSignature(key: rootKey))
        #expect(throws: StoreError.self) { _ = try Macaroon(serialized: "not base64 !!") }
        #expect(throws: StoreError.self) { _ = try Macaroon(serialized: "MDAxMmxvY2F0aW9u") }
    }
}
