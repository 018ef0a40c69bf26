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

    @Test func pkcs1SignaturesAreDeterministicAndVerify() throws {
        let digest = Digest.sha512(Array("content".utf8))
        let first = try Self.key.signature(forDigest: digest, algorithm: .sha512)
        let second = try Self.key.signature(forDigest: digest, algorithm: .sha512)
        #expect(first == second)
        #expect(first.count == 256)
        #expect(Self.key.publicKey.isValidSignature(first, digest: digest, algorithm: .sha512))
        var tampered = first
        tampered[100] ^= 1
        #expect(!Self.key.publicKey.isValidSignature(tampered, digest: digest, algorithm: .sha512))
        #expect(!Self.key.publicKey.isValidSignature(first, digest: Digest.sha512([1]), algorithm: .sha512))
        #expect(!Self.key.publicKey.isValidSignature([], digest: digest, algorithm: .sha512))
    }

    @Test func pemRoundTrips() throws {
        let pem = try Self.key.pem()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let reread = try RSAPrivateKey(pem: pem)
        #expect(reread.publicKey.modulus == Self.key.publicKey.modulus)
        #expect(try Self.key.publicKey.pem().hasPrefix("-----BEGIN PUBLIC KEY-----"))
    }

    @Test func rebuildsAKeyFromItsPrimes() throws {
        // What an OpenPGP secret-key packet carries: n, e, d, p, q. The CRT values are derived.
        let other = try RSAPrivateKey.generate(bits: 1024)
        #expect(throws: CryptoError.self) {
            _ = try RSAPrivateKey(
                modulus: Self.key.publicKey.modulus, publicExponent: [1, 0, 1], privateExponent: [3],
                prime1: other.publicKey.modulus, prime2: [7])
        }
    }

    @Test func refusesBadInput() {
        #expect(throws: CryptoError.self) {
            _ = try RSAPrivateKey(pem: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----")
        }
        #expect(throws: CryptoError.self) { _ = try RSAPublicKey(modulus: [0x01, 0x02], exponent: [3]) }
        #expect(throws: CryptoError.self) { _ = try RSAPrivateKey.generate(bits: 512) }
        #expect(throws: CryptoError.self) { _ = try Self.key.signature(forDigest: [1, 2, 3], algorithm: .sha512) }
    }
}
