import Foundation
import SnapFiles
import TestSupport
import Testing

/// snapdepot's reader against images made by Debian's `mksquashfs`, in every layout it writes.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/mksquashfs"), "needs squashfs-tools"))
struct SquashfsReaderTests {
    static let layouts: [(String, [String])] = [
        ("xz, as snap pack", ["-comp", "xz", "-no-fragments", "-all-root", "-no-xattrs"]),
        ("xz with fragments", ["-comp", "xz"]),
        ("gzip with fragments", ["-comp", "gzip"]),
        ("gzip, 4 KiB blocks, always fragments", ["-comp", "gzip", "-b", "4096", "-always-use-fragments"]),
        ("xz, 1 MiB blocks, uncompressed inodes", ["-comp", "xz", "-b", "1048576", "-noI"]),
        ("gzip, nothing compressed", ["-comp", "gzip", "-noI", "-noD", "-noF", "-noX"]),
    ]

    @Test(arguments: layouts.map(\.0))
    func readsEveryPathAndByteOfAMksquashfsImage(layout: String) throws {
        let options = try #require(Self.layouts.first { $0.0 == layout }).1
        let directory = try SampleTree.temporaryDirectory("reader")
        defer { try? FileManager.default.removeItem(at: directory) }
        let tree = try SampleTree.make(in: directory)
        let image = directory.appendingPathComponent("image.snap").path
        let made = try runCommand(
            "mksquashfs", [tree.root.path, image, "-noappend", "-no-progress", "-quiet"] + options)
        try #require(made.status == 0, "\(made.output)")

        let squashfs = try SquashfsImage(path: image)
        var seen: [String: String] = [:]
        try squashfs.walk { path, inode in
            let mode = String(inode.permissions, radix: 8)
            switch inode.kind {
            case .directory: seen[path] = "dir \(mode)"
            case .symlink: seen[path] = "link \(inode.target ?? "")"
            case .file:
                let data = Data(try squashfs.readFile(atPath: path))
                seen[path] = "file \(mode) \(data.count) \(data.hashValue)"
            default: seen[path] = "other"
            }
        }
        #expect(seen == (try SampleTree.describe(tree.root)))
    }

    @Test(arguments: [
        ("zstd", "unsupported compression: zstd"), ("lzo", "unsupported compression: lzo"),
        ("lz4", "unsupported compression: lz4"),
    ])
    func otherCompressorsAreNamed(compressor: String, message: String) throws {
        let directory = try SampleTree.temporaryDirectory("compressor")
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("x".utf8).write(to: directory.appendingPathComponent("file"))
        let image = directory.appendingPathComponent("image.snap").path
        let made = try runCommand(
            "mksquashfs", [directory.path, image, "-noappend", "-no-progress", "-quiet", "-comp", compressor])
        try #require(made.status == 0, "\(made.output)")
        #expect(throws: SnapFileError(.unsupportedCompression, message)) { _ = try SquashfsImage(path: image) }
    }

    @Test func refusesWhatIsNotAnImage() throws {
        let directory = try SampleTree.temporaryDirectory("bad")
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = directory.appendingPathComponent("text")
        try Data("hello, not squashfs".utf8).write(to: text)
        #expect(throws: SnapFileError(.notSquashfs, "not a squashfs image: no \"hsqs\" magic at the start of the file"))
        {
            _ = try SquashfsImage(path: text.path)
        }
        let short = directory.appendingPathComponent("short")
        try Data("hsqs1234".utf8).write(to: short)
        #expect(throws: SnapFileError.self) { _ = try SquashfsImage(path: short.path) }
        #expect(throws: SnapFileError.self) { _ = try SquashfsImage(path: directory.path) }
        #expect(throws: SnapFileError.self) {
            _ = try SquashfsImage(path: directory.appendingPathComponent("missing").path)
        }
    }
}
