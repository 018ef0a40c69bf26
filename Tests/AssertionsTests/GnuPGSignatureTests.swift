import Foundation
import Testing

@testable import Assertions

/// snapd verifies any valid v4 RSA signature packet, whatever its subpackets, so assertions signed
/// with GnuPG (`snap sign` with a GPG key) verify. snapdepot must accept them too.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/gpg"), "needs gpg (package gnupg)"))
struct GnuPGSignatureTests {
    typealias T = TestAuthority

    private func gpg(_ home: URL, _ arguments: [String], input: [UInt8]? = nil) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gpg")
        process.arguments =
            ["--homedir", home.path, "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", ""]
            + arguments
        let output = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardInput = stdin
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input)) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "gpg \(arguments.joined(separator: " ")) failed")
        return Array(data)
    }

    @Test func gnupgMadeSignaturesVerify() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("gpg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: home) }
        _ = try gpg(home, ["--quick-gen-key", "ACME Models <models@acme.example>", "rsa2048", "sign", "never"])
        let exported = try gpg(home, ["--export"])
        let (tag, body, _) = try OpenPGPPacket.read(exported[...])
        #expect(tag == OpenPGPPacket.Tag.publicKey.rawValue)
        var rest = body
        let packet = try PublicKeyPacket(parsing: &rest)
        // The key id is the same whatever creation time GnuPG gave the key.
        let publicKey = try PublicKey(encoded: Array(EncodedV1.encode(packet.serialized()).utf8))

        var database = try TrustDatabase(trusted: [T.rootAccount, T.rootAccountKey], now: T.now)
        try database.add(T.brandAccount)
        try database.add(
            try T.sign(
                [
                    "type": "account-key", "authority-id": "test-root", "account-id": "acme-brand", "name": "gpg",
                    "public-key-sha3-384": .string(publicKey.id), "since": .string(T.keysSince),
                ], body: publicKey.encoded))

        let content = try AssertionSigner.content(
            type: .model, headers: try T.myPi3Model().signingHeaders, body: [], signKeyID: publicKey.id)
        let signature = try gpg(home, ["--detach-sign", "--digest-algo", "SHA512"], input: content)
        let assertion = try Assertion.decode(content + [0x0a, 0x0a] + Array(EncodedV1.encode(signature).utf8) + [0x0a])
        try database.add(assertion)
        #expect(database.find(assertion.reference) == assertion)

        let tampered = Array(
            String(decoding: content, as: UTF8.self).replacingOccurrences(of: "armhf", with: "armhg").utf8)
        let forged = try Assertion.decode(tampered + [0x0a, 0x0a] + Array(EncodedV1.encode(signature).utf8))
        #expect(throws: AssertionError.self) { try database.check(forged) }
    }
}
