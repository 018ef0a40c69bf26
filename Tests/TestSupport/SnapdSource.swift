import Foundation

/// snapd's own code, installed from Debian at test time: the Go checker built from
/// `interop/snapd-checker` (its path in `SNAPDEPOT_SNAPD_CHECKER`, set by `scripts/test`) and the
/// source tree of `golang-github-snapcore-snapd-dev`, whose test keys are read from it, never copied.
public enum SnapdSource {
    public static let checker: String? = {
        guard let path = ProcessInfo.processInfo.environment["SNAPDEPOT_SNAPD_CHECKER"],
            FileManager.default.isExecutableFile(atPath: path)
        else { return nil }
        return path
    }()

    /// snapd's `snap` CLI built from that source with `nosecboot withtestkeys` (`scripts/build-snap-cli`).
    public static let snapCLI: String? = {
        guard let path = ProcessInfo.processInfo.environment["SNAPDEPOT_SNAP_CLI"],
            FileManager.default.isExecutableFile(atPath: path)
        else { return nil }
        return path
    }()

    public static let tree = URL(
        fileURLWithPath: ProcessInfo.processInfo.environment["SNAPD_SOURCE"]
            ?? "/usr/share/gocode/src/github.com/snapcore/snapd")

    public static var isInstalled: Bool {
        FileManager.default.fileExists(atPath: tree.appendingPathComponent("asserts/asserts.go").path)
    }

    public static var available: Bool { checker != nil && isInstalled }

    /// The text of a Go raw-string constant, e.g. `TestRootPrivKey = \`…\``.
    public static func constant(_ name: String, in file: String) throws -> String {
        let source = try String(contentsOf: tree.appendingPathComponent(file), encoding: .utf8)
        guard let start = source.range(of: "\(name) = `") else {
            throw SnapdSourceError("\(name) not found in \(file)")
        }
        guard let end = source[start.upperBound...].firstIndex(of: "`") else {
            throw SnapdSourceError("\(name) in \(file) is not terminated")
        }
        return String(source[start.upperBound..<end])
    }

    /// Runs the Go checker built against snapd's code.
    public static func runChecker(_ arguments: [String]) throws -> CommandResult {
        guard let checker else { throw SnapdSourceError("SNAPDEPOT_SNAPD_CHECKER is not set: run scripts/test") }
        return try runCommand(checker, arguments)
    }

    public static func temporaryDirectory() throws -> URL {
        try makeTemporaryDirectory("snapdepot")
    }
}

public struct SnapdSourceError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// One line of the manifest `snapd-checker make` writes beside the assertions it signs.
public struct CheckerManifestEntry: Decodable, Sendable {
    public let file: String
    public let type: String
    /// The lowest format snapd's `SuggestFormat` allows for the assertion's headers.
    public let minFormat: Int

    enum CodingKeys: String, CodingKey {
        case file, type
        case minFormat = "min-format"
    }

    public static func decode(_ data: Data) throws -> [CheckerManifestEntry] {
        try JSONDecoder().decode([CheckerManifestEntry].self, from: data)
    }
}
