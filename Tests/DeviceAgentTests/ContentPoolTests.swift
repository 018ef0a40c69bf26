import DepotCrypto
import Foundation
import SnapFiles
import TestSupport
import Testing

@testable import DeviceAgent

/// The content a fleet's devices share: one file per digest however many devices bring the same
/// bytes at once, and bytes that are not a snap recognised as such.
@Suite struct ContentPoolTests {
    @Test func devicesBringingTheSameBytesAtOnceShareOneFile() async throws {
        let work = try SampleTree.temporaryDirectory("pool")
        let tree = try SampleTree.make(in: work, manyFiles: 3)
        let file = work.appendingPathComponent("sample.snap").path
        _ = try SnapPacker().pack(directory: tree.root.path, output: file)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        let digest = Digest.sha3_384(bytes)
        let pool = try ContentPool(folder: work.appendingPathComponent("pool"))
        let admitted = try await withThrowingTaskGroup(of: PooledSnap?.self) { group in
            for _ in 0..<32 { group.addTask { try pool.admit(bytes, digest: digest) } }
            var all: [PooledSnap?] = []
            for try await snap in group { all.append(snap) }
            return all
        }
        let first = try #require(admitted.first ?? nil)
        #expect(admitted.allSatisfy { $0 === first })
        #expect(first.file.sha3_384 == digest && first.file.size == UInt64(bytes.count))
        #expect(try FileManager.default.contentsOfDirectory(atPath: pool.folder.path) == [Hex.encode(digest) + ".snap"])
        var broken = bytes
        broken[0] ^= 0xFF  // the squashfs magic
        #expect(try pool.admit(broken, digest: Digest.sha3_384(broken)) == nil)
        #expect(pool.count == 1)
    }
}
