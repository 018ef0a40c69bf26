import Foundation
import TestSupport
import Testing

@testable import SnapFiles

@Suite struct SquashfsWriterTests {
    @Test func unsquashfsExtractsTheSameTree() throws {
        let directory = try SampleTree.temporaryDirectory("writer")
        defer { try? FileManager.default.removeItem(at: directory) }
        let tree = try SampleTree.make(in: directory)
        let image = directory.appendingPathComponent("packed.snap").path
        var writer = SquashfsWriter()
        writer.fixedTime = 1_700_000_000
        let summary = try writer.write(directory: tree.root.path, to: image)
        #expect(summary.fileSize % 4096 == 0)
        #expect(summary.bytesUsed <= summary.fileSize)

        let extracted = directory.appendingPathComponent("extracted")
        let unsquashed = try runCommand("unsquashfs", ["-no-progress", "-d", extracted.path, image])
        try #require(unsquashed.status == 0, "\(unsquashed.output)")
        #expect(try SampleTree.describe(extracted) == (try SampleTree.describe(tree.root)))

        let listing = try runCommand("unsquashfs", ["-lln", image])
        #expect(listing.output.contains("root/root") || listing.output.contains("0/0"))
        #expect(!listing.output.contains("1000/"))
        let stats = try runCommand("unsquashfs", ["-s", image])
        #expect(stats.output.contains("Compression xz"))
        #expect(stats.output.contains("Fragments are not stored"))
        #expect(stats.output.contains("Xattrs are not stored"))
        #expect(stats.output.contains("Block size 131072"))
    }

    @Test func readsBackWhatItWrote() throws {
        let directory = try SampleTree.temporaryDirectory("roundtrip")
        defer { try? FileManager.default.removeItem(at: directory) }
        let tree = try SampleTree.make(in: directory)
        let image = directory.appendingPathComponent("packed.snap").path
        _ = try SquashfsWriter().write(directory: tree.root.path, to: image)
        let squashfs = try SquashfsImage(path: image)
        #expect(squashfs.compression == .xz)
        let random = try squashfs.readFile(atPath: "bin/random.bin")
        #expect(Data(random) == (try Data(contentsOf: tree.root.appendingPathComponent("bin/random.bin"))))
        #expect(try squashfs.inode(atPath: "bin/link").target == "hello")
        #expect(try squashfs.inode(atPath: "bin/hello").permissions == 0o755)
        #expect(try squashfs.contents(ofDirectory: "many").count == 300)
        #expect(try squashfs.inode(atPath: "bin").uid == 0)
    }

    /// With a fixed time (or `SOURCE_DATE_EPOCH`) the same tree packs to the same bytes even when
    /// its files were written at other times; without one, the image carries its files' times.
    @Test func aFixedTimePacksTheSameTreeToTheSameBytes() throws {
        let directory = try SampleTree.temporaryDirectory("fixed-time")
        defer { try? FileManager.default.removeItem(at: directory) }
        let tree = try SampleTree.make(in: directory)
        let file = tree.root.appendingPathComponent("bin/random.bin").path
        var writer = SquashfsWriter()
        writer.fixedTime = 1_700_000_000
        var images: [Data] = []
        for (attempt, fileTime) in [1_600_000_000, 1_650_000_000].enumerated() {
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: Double(fileTime))], ofItemAtPath: file)
            let image = directory.appendingPathComponent("\(attempt).snap").path
            _ = try writer.write(directory: tree.root.path, to: image)
            images.append(try Data(contentsOf: URL(fileURLWithPath: image)))
            #expect(try SquashfsImage(path: image).inode(atPath: "bin/random.bin").modificationTime == 1_700_000_000)
        }
        #expect(images[0] == images[1])
        let unpinned = directory.appendingPathComponent("unpinned.snap").path
        _ = try SquashfsWriter().write(directory: tree.root.path, to: unpinned)
        #expect(try SquashfsImage(path: unpinned).inode(atPath: "bin/random.bin").modificationTime == 1_650_000_000)
    }

    /// A directory whose listing passes 64 KiB needs the extended directory inode.
    @Test func handlesHugeDirectories() throws {
        let directory = try SampleTree.temporaryDirectory("huge")
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("tree")
        let names = (0..<1800).map { "a-name-long-enough-to-make-the-directory-listing-large-\($0)" }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("big"), withIntermediateDirectories: true)
        for name in names { try Data(name.utf8).write(to: root.appendingPathComponent("big/\(name)")) }
        let image = directory.appendingPathComponent("huge.snap").path
        _ = try SquashfsWriter().write(directory: root.path, to: image)
        let squashfs = try SquashfsImage(path: image)
        let big = try squashfs.inode(atPath: "big")
        #expect(big.size > 65535)
        #expect(Set(try squashfs.contents(ofDirectory: "big").map(\.name)) == Set(names))
        let extracted = directory.appendingPathComponent("out")
        #expect(try runCommand("unsquashfs", ["-no-progress", "-d", extracted.path, image]).status == 0)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: extracted.appendingPathComponent("big").path).count
                == 1800)
    }

    @Test func failedWritesLeaveNothingBehind() throws {
        let directory = try SampleTree.temporaryDirectory("failed")
        defer { try? FileManager.default.removeItem(at: directory) }
        let root = directory.appendingPathComponent("tree")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        #expect(mkfifo(root.appendingPathComponent("pipe").path, 0o644) == 0)
        let image = directory.appendingPathComponent("out.snap").path
        #expect(throws: SnapFileError.self) { _ = try SquashfsWriter().write(directory: root.path, to: image) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["tree"])
    }
}
