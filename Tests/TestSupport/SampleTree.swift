import Foundation

/// Source trees made by code for the squashfs tests, and the tools that compare them.
public struct SampleTree {
    public let root: URL

    public static func temporaryDirectory(_ label: String) throws -> URL {
        try makeTemporaryDirectory(label)
    }

    /// A snap-shaped tree exercising every case the reader must handle: nested directories, symlinks,
    /// an empty file and directory, a file over several blocks, incompressible data, odd modes, and a
    /// directory with more than 256 entries (several listing headers and metadata blocks).
    public static func make(in parent: URL, snapYAML: String = SampleTree.snapYAML, manyFiles: Int = 300) throws
        -> SampleTree
    {
        let root = parent.appendingPathComponent("tree")
        let fm = FileManager.default
        for folder in ["meta/hooks", "bin/deep/deeper/deepest", "empty-dir", "many"] {
            try fm.createDirectory(at: root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try Data(snapYAML.utf8).write(to: root.appendingPathComponent("meta/snap.yaml"))
        try Data("#!/bin/sh\necho configured\n".utf8).write(to: root.appendingPathComponent("meta/hooks/configure"))
        try Data("#!/bin/sh\necho hello\n".utf8).write(to: root.appendingPathComponent("bin/hello"))
        var generator = SystemRandomNumberGenerator()
        let random = (0..<(300 * 1024 + 17)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        try Data(random).write(to: root.appendingPathComponent("bin/random.bin"))
        let text = String(repeating: "snapdepot packs squashfs images with xz. ", count: 12_000)
        try Data(text.utf8).write(to: root.appendingPathComponent("bin/deep/deeper/deepest/text.txt"))
        try Data().write(to: root.appendingPathComponent("bin/empty"))
        for index in 0..<manyFiles {
            try Data("file \(index)\n".utf8).write(
                to: root.appendingPathComponent("many/entry-with-a-long-name-\(index)"))
        }
        try fm.createSymbolicLink(atPath: root.appendingPathComponent("bin/link").path, withDestinationPath: "hello")
        try fm.createSymbolicLink(
            atPath: root.appendingPathComponent("bin/deep/up").path, withDestinationPath: "../../meta/snap.yaml")
        for (path, mode) in [
            ("bin/hello", 0o755), ("meta/hooks/configure", 0o755), ("bin/empty", 0o600), ("empty-dir", 0o700),
        ] {
            try fm.setAttributes([.posixPermissions: mode], ofItemAtPath: root.appendingPathComponent(path).path)
        }
        return SampleTree(root: root)
    }

    public static let snapYAML = """
        name: hello-depot
        version: 1.0+git3
        summary: A snap made by a test
        description: It says hello.
        base: core22
        grade: stable
        confinement: strict
        epoch: 2*
        architectures: [amd64, arm64]
        apps:
          hello:
            command: bin/hello
            plugs: [network]
        plugs:
          shared:
            interface: content
        """

    /// Every path under `root` with a description of what it is: kind, mode and content or target.
    public static func describe(_ root: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        let fm = FileManager.default
        guard let enumerator = fm.enumerator(atPath: root.path) else { return result }
        while let path = enumerator.nextObject() as? String {
            let full = root.appendingPathComponent(path).path
            let attributes = try fm.attributesOfItem(atPath: full)
            let mode = String((attributes[.posixPermissions] as? Int) ?? 0, radix: 8)
            switch attributes[.type] as? FileAttributeType {
            case .typeSymbolicLink:
                result[path] = "link \(try fm.destinationOfSymbolicLink(atPath: full))"
            case .typeDirectory:
                result[path] = "dir \(mode)"
            default:
                let data = try Data(contentsOf: URL(fileURLWithPath: full))
                result[path] = "file \(mode) \(data.count) \(data.hashValue)"
            }
        }
        return result
    }
}
