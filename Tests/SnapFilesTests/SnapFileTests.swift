import DepotCrypto
import Foundation
import SnapFiles
import TestSupport
import Testing

@Suite struct SnapFileTests {
    @Test func packsAndOpensASnap() throws {
        let directory = try SampleTree.temporaryDirectory("snapfile")
        defer { try? FileManager.default.removeItem(at: directory) }
        let tree = try SampleTree.make(in: directory, manyFiles: 3)
        let snap = try SnapPacker().pack(directory: tree.root.path, output: directory.path)
        #expect(snap.path.hasSuffix("/hello-depot_1.0+git3_multi.snap"))
        #expect(snap.metadata.name == "hello-depot")
        #expect(snap.metadata.hooks == ["configure"])
        let (digest, size) = try Digest.ofFile(at: snap.path, .sha3_384)
        #expect(snap.sha3_384 == digest)
        #expect(snap.size == size)
        #expect(snap.sha3_384Hex.count == 96)
        #expect(snap.sha3_384Base64URL.count == 64)
        let openssl = try runCommand("openssl", ["dgst", "-sha3-384", "-r", snap.path])
        #expect(openssl.output.hasPrefix(snap.sha3_384Hex))
    }

    @Test func refusesDirectoriesAndImagesWithoutValidMetadata() throws {
        let directory = try SampleTree.temporaryDirectory("nometa")
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("tree")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("bin"), withIntermediateDirectories: true)
        #expect(throws: SnapFileError(.invalidMetadata, "cannot pack \(root.path): it has no meta/snap.yaml")) {
            _ = try SnapPacker().pack(directory: root.path, output: directory.path + "/x.snap")
        }
        let image = directory.appendingPathComponent("plain.snap").path
        _ = try SquashfsWriter().write(directory: root.path, to: image)
        #expect(throws: SnapFileError(.invalidMetadata, "\(image) has no meta/snap.yaml")) {
            _ = try SnapFile.open(path: image)
        }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("meta"), withIntermediateDirectories: true)
        try Data("name: gadgety\nversion: '1'\ntype: gadget\n".utf8).write(
            to: root.appendingPathComponent("meta/snap.yaml"))
        #expect(throws: SnapFileError.self) { _ = try SnapPacker().pack(directory: root.path, output: directory.path) }
        _ = try SquashfsWriter().write(directory: root.path, to: image)
        #expect(throws: SnapFileError(.invalidMetadata, "gadget snap \"gadgety\" has no meta/gadget.yaml")) {
            _ = try SnapFile.open(path: image)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["plain.snap", "tree"])
    }

    /// Thousands of damaged images: every one gives an error or a result, never a crash, and reading
    /// stays within the decompression limits.
    @Test func survivesThousandsOfMutatedImages() throws {
        let directory = try SampleTree.temporaryDirectory("mutations")
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("tree")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("meta"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("bin/sub"), withIntermediateDirectories: true)
        try Data(SampleTree.snapYAML.utf8).write(to: root.appendingPathComponent("meta/snap.yaml"))
        try Data(String(repeating: "data ", count: 40_000).utf8).write(to: root.appendingPathComponent("bin/big"))
        try Data("x".utf8).write(to: root.appendingPathComponent("bin/sub/small"))
        try FileManager.default.createSymbolicLink(
            atPath: root.appendingPathComponent("bin/l").path, withDestinationPath: "big")
        let original = directory.appendingPathComponent("original.snap").path
        var writer = SquashfsWriter()
        writer.blockSize = 4096
        _ = try writer.write(directory: root.path, to: original)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: original)))
        let used = Int(try SquashfsImage(path: original).superblock.bytesUsed)

        var generator = SplitMix64(seed: 42)
        let mutated = directory.appendingPathComponent("mutated.snap")
        var outcomes = (opened: 0, failed: 0)
        for round in 0..<3000 {
            var copy = bytes
            let edits = 1 + Int(generator.next() % 3)
            for _ in 0..<edits {
                // Most edits hit the metadata tables and superblock, where the parsing is.
                let limit = min(round % 3 == 0 ? 96 : used, copy.count)
                let position = Int(generator.next() % UInt64(limit))
                switch generator.next() % 4 {
                case 0: copy[position] ^= UInt8(1 << (generator.next() % 8))
                case 1: copy[position] = UInt8(truncatingIfNeeded: generator.next())
                case 2: copy[position] = 0xff
                default: copy.removeSubrange(position..<copy.count)
                }
                if copy.isEmpty { break }
            }
            try Data(copy).write(to: mutated)
            do {
                let snap = try SnapFile.open(path: mutated.path)
                let image = try SquashfsImage(path: mutated.path)
                try image.walk { path, inode in
                    if inode.kind == .file { _ = try image.readFile(atPath: path, limit: 1 << 20) }
                }
                _ = snap.metadata
                outcomes.opened += 1
            } catch {
                outcomes.failed += 1
            }
        }
        #expect(outcomes.opened + outcomes.failed == 3000)
        #expect(outcomes.failed > 0)
    }
}
