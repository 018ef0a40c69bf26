import DepotCrypto
import Testing

@Suite struct RSAKeyTests {
    static let key = try! RSAPrivateKey.generate(bits: 2048)

    @Test func publicKeyRoundTripsThroughModulusAndExponent() throws {
        let rebuilt = try RSAPublicKey(modulus: Self.key.publicKey.modulus, exponent: Self.key.publicKey.exponent)
        #expect(rebuilt.modulus == Self.key.publicKey.modulus)
        #expect(rebuilt.exponent == [0x01, 0x00, 0x01])
        #expect(rebuilt.bitCount == 2048)
    }
}
