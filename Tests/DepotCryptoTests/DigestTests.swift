import DepotCrypto
import Foundation
import Testing

@Suite struct DigestTests {
    private func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    @Test func sha3_384MatchesFIPS202Vectors() {
        #expect(
            hex(Digest.sha3_384(Array("abc".utf8)))
                == "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25")
        #expect(
            hex(Digest.sha3_384([]))
                == "0c63a75b845e4f7d01107d852e4c2485c51a50aaaa94fc61995e71bbee983a2ac3713831264adb47fb6bd1e058d5f004")
    }

    @Test func incrementalHashingEqualsOneShot() {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let stream = DigestStream(.sha3_384)
        stream.update(data[0..<1])
        stream.update(data[1..<65_537])
        stream.update(data[65_537...])
        #expect(stream.byteCount == 100_000)
        #expect(stream.finalize() == Digest.sha3_384(data))
    }

    @Test func fileDigestMatchesTheOpensslCommand() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("digest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: url) }
        let data = Data((0..<(3 << 20) + 12_345).map { UInt8(truncatingIfNeeded: $0 ^ ($0 >> 9)) })
        try data.write(to: url)
        let (digest, size) = try Digest.ofFile(at: url.path, .sha3_384, chunkSize: 1 << 16)
        #expect(size == UInt64(data.count))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "dgst", "-sha3-384", "-r", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(output.split(separator: " ").first.map(String.init) == hex(digest))
    }

    @Test func missingFileIsAnError() {
        #expect(throws: CryptoError.self) { _ = try Digest.ofFile(at: "/nonexistent/file", .sha3_384) }
    }
}
