import Foundation
import TestSupport
import Testing

@Suite struct PackCommandTests {
    struct Info: Decodable, Equatable {
        struct Epoch: Decodable, Equatable {
            let read: [UInt32]
            let write: [UInt32]
        }

        let name: String
        let version: String
        let type: String
        let base: String
        let architectures: [String]
        let epoch: Epoch
        let confinement: String
        let provenance: String
        let apps: [String]
        let hooks: [String]
        let size: UInt64
        let sha3_384: String
        let snapSHA3_384: String

        enum CodingKeys: String, CodingKey {
            case name, version, type, base, architectures, epoch, confinement, provenance, apps, hooks, size
            case sha3_384 = "sha3-384"
            case snapSHA3_384 = "snap-sha3-384"
        }
    }

    @Test func packsAndDescribesASnap() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let tree = try SampleTree.make(in: cli.directory, manyFiles: 5)
        let packed = try cli.run(["pack", tree.root.path, "--json"])
        #expect(packed.status == 0, "\(packed.stderr)")
        let path = cli.path("hello-depot_1.0+git3_multi.snap")
        #expect(FileManager.default.fileExists(atPath: path))
        let info = try cli.run(["snap", "info", path])
        #expect(info.stdout.contains("name:          hello-depot"))
        #expect(info.stdout.contains("epoch:         2*"))
        #expect(info.stdout.contains("architectures: amd64, arm64"))
        let renamed = try cli.run(["pack", tree.root.path, "-o", "custom.snap"])
        #expect(renamed.status == 0)
        #expect(renamed.stdout.contains("custom.snap"))
    }

    @Test func refusesInvalidSnapsWithTheReason() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try FileManager.default.createDirectory(atPath: cli.path("bad/meta"), withIntermediateDirectories: true)
        try cli.write("bad/meta/snap.yaml", "name: bad\nversion: 1.0-\n")
        let packed = try cli.run(["pack", "bad"])
        #expect(packed.status != 0)
        #expect(packed.stderr.contains("invalid snap version \"1.0-\": must end with an ASCII alphanumeric"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: cli.directory.path) == ["bad"])
        try cli.write("not-a-snap", "hello")
        let info = try cli.run(["snap", "info", "not-a-snap"])
        #expect(info.status != 0)
        #expect(info.stderr.contains("not a squashfs image"))
    }

    /// snapd's own snap-file code reads what `snapdepot pack` writes and sees what snapdepot sees.
    @Test(.enabled(if: SnapdSource.available, "needs the Go checker: run scripts/test"))
    func snapdReadsPackedSnapsAsSnapdepotDoes() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let tree = try SampleTree.make(in: cli.directory, manyFiles: 5)
        #expect(try cli.run(["pack", tree.root.path, "-o", "hello.snap"]).status == 0)
        let ours = try JSONDecoder().decode(
            Info.self, from: Data(try cli.run(["snap", "info", "--json", "hello.snap"]).stdout.utf8))
        let snapd = try SnapdSource.runChecker(["snap-info", cli.path("hello.snap")])
        try #require(snapd.status == 0, "\(snapd.output)")
        let theirs = try JSONDecoder().decode(Info.self, from: Data(snapd.output.utf8))
        #expect(ours.hooks == ["configure"])
        #expect(ours == theirs)
    }
}
