import Foundation
import SnapFiles
import TestSupport
import Testing

/// Damage aimed at the structures the reader parses, not at compressed bytes: images written by
/// `mksquashfs` with nothing compressed, so every superblock, inode, directory, fragment and id
/// table field sits at a known offset and can be set to the values that break arithmetic.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/mksquashfs"), "needs squashfs-tools"))
struct SquashfsStructureTests {
    /// An image of a tree with a hard-linked file (so the first inode is an extended file inode with
    /// a 64-bit size), small files in a fragment, a multi-block file, a symlink and a subdirectory.
    struct PlainImage {
        let directory: URL
        let bytes: [UInt8]

        init() throws {
            directory = try SampleTree.temporaryDirectory("structure")
            let root = directory.appendingPathComponent("tree")
            try FileManager.default.createDirectory(
                at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
            try Data("linked\n".utf8).write(to: root.appendingPathComponent("a"))
            try FileManager.default.linkItem(
                at: root.appendingPathComponent("a"), to: root.appendingPathComponent("b"))
            try Data(String(repeating: "block ", count: 3000).utf8).write(to: root.appendingPathComponent("sub/big"))
            try Data("small".utf8).write(to: root.appendingPathComponent("sub/small"))
            try FileManager.default.createSymbolicLink(
                atPath: root.appendingPathComponent("sub/link").path, withDestinationPath: "big")
            let image = directory.appendingPathComponent("plain.sqfs").path
            let made = try runCommand(
                "mksquashfs",
                [
                    root.path, image, "-noappend", "-no-progress", "-quiet", "-comp", "gzip", "-b", "4096", "-noI",
                    "-noD", "-noF", "-noX",
                ])
            try #require(made.status == 0, "\(made.output)")
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: image)))
        }

        func u64(at offset: Int) -> UInt64 {
            bytes[offset..<(offset + 8)].reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }

        // Superblock fields (squashfs 4.0 layout).
        var inodeTable: Int { Int(u64(at: 64)) }
        var directoryTable: Int { Int(u64(at: 72)) }
        var fragmentTable: Int { Int(u64(at: 80)) }
        var bytesUsed: Int { Int(u64(at: 40)) }

        /// Writes `copy` and reads everything in it as an upload does: open, walk, read each file.
        func read(_ copy: [UInt8], as name: String = "mutated.sqfs") throws {
            let path = directory.appendingPathComponent(name)
            try Data(copy).write(to: path)
            let image = try SquashfsImage(path: path.path)
            try image.walk { path, inode in
                if inode.kind == .file { _ = try image.readFile(atPath: path, limit: 1 << 20) }
            }
        }
    }

    static func write(_ value: UInt64, width: Int, at offset: Int, into bytes: inout [UInt8]) {
        for index in 0..<width where offset + index < bytes.count {
            bytes[offset + index] = UInt8(truncatingIfNeeded: value >> UInt64(8 * index))
        }
    }

    static func expectCorrupt(_ image: PlainImage, _ copy: [UInt8], naming text: String) {
        do {
            try image.read(copy)
            Issue.record("the damaged image was read without an error; expected one naming \(text)")
        } catch let error as SnapFileError {
            #expect(error.kind == .corrupt && error.message.contains(text), "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func fieldsAtTheTopOfTheirRangeGiveErrorsThatNameThem() throws {
        let image = try PlainImage()
        defer { try? FileManager.default.removeItem(at: image.directory) }
        try image.read(image.bytes, as: "original.sqfs")

        // The first inode (after the table's 2-byte block header) is the hard-linked file: an
        // extended file inode, whose 64-bit file_size follows the header and blocks_start.
        let inode = image.inodeTable + 2
        #expect(image.bytes[inode] == 9, "the first inode is an extended file inode")
        var huge = image.bytes
        Self.write(.max, width: 8, at: inode + 16 + 8, into: &huge)
        Self.expectCorrupt(image, huge, naming: "file_size 18446744073709551615")
        // Below the limit but more blocks than the inode table could list.
        var large = image.bytes
        Self.write(1 << 39, width: 8, at: inode + 16 + 8, into: &large)
        Self.expectCorrupt(image, large, naming: "more than the inode table holds")

        // The first directory header's count is stored less one: 0xFFFFFFFF must not wrap to zero.
        var count = image.bytes
        Self.write(0xFFFF_FFFF, width: 4, at: image.directoryTable + 2, into: &count)
        Self.expectCorrupt(image, count, naming: "header count 4294967296 entries")
    }

    /// Every field-sized slot of every table set to each boundary value: each image is read to the
    /// end or refused with a `SnapFileError`; none traps, hangs or reads past its limits.
    @Test func boundaryValuesInEveryTableAreReadOrRefused() throws {
        let image = try PlainImage()
        defer { try? FileManager.default.removeItem(at: image.directory) }
        let regions: [(name: String, range: Range<Int>)] = [
            ("superblock", 0..<96),
            ("inode table", image.inodeTable..<image.directoryTable),
            // mksquashfs writes each lookup table's metadata blocks just before its index.
            ("directory table and fragment entries", image.directoryTable..<image.fragmentTable),
            ("fragment index, export and id tables", image.fragmentTable..<image.bytesUsed),
        ]
        var outcomes: [String: (read: Int, refused: Int)] = [:]
        for (name, range) in regions {
            #expect(!range.isEmpty, "\(name) is in the image")
            for width in [2, 4, 8] {
                let values: [UInt64] = [
                    0, 1, .max >> (64 - UInt64(width * 8)), 1 << UInt64(width * 8 - 1), 4096, 8193,
                ]
                for offset in stride(from: range.lowerBound, to: range.upperBound, by: 2) {
                    for value in values {
                        var copy = image.bytes
                        Self.write(value, width: width, at: offset, into: &copy)
                        do {
                            try image.read(copy)
                            outcomes[name, default: (0, 0)].read += 1
                        } catch let error as SnapFileError {
                            #expect(!error.message.isEmpty)
                            outcomes[name, default: (0, 0)].refused += 1
                        }
                    }
                }
            }
        }
        // Every region had damage the reader caught, so the mutations reached the parsing.
        for (name, _) in regions {
            #expect((outcomes[name]?.refused ?? 0) > 0, "\(name): \(outcomes[name] ?? (0, 0))")
        }
    }
}
