import Foundation
import Testing

/// snapd's own code, installed from Debian at test time: the Go checker built from
/// `interop/snapd-checker` (its path in `SNAPDEPOT_SNAPD_CHECKER`, set by `scripts/test`) and the
/// source tree of `golang-github-snapcore-snapd-dev`, whose test keys are read from it, never copied.
enum SnapdSource {
    static let checker: String? = {
        guard let path = ProcessInfo.processInfo.environment["SNAPDEPOT_SNAPD_CHECKER"],
            FileManager.default.isExecutableFile(atPath: path)
        else { return nil }
        return path
    }()

    static let tree = URL(
        fileURLWithPath: ProcessInfo.processInfo.environment["SNAPD_SOURCE"]
            ?? "/usr/share/gocode/src/github.com/snapcore/snapd")

    static var isInstalled: Bool {
        FileManager.default.fileExists(atPath: tree.appendingPathComponent("asserts/asserts.go").path)
    }

    static var available: Bool { checker != nil && isInstalled }

    /// The text of a Go raw-string constant, e.g. `TestRootPrivKey = \`…\``.
    static func constant(_ name: String, in file: String) throws -> String {
        let source = try String(contentsOf: tree.appendingPathComponent(file), encoding: .utf8)
        guard let start = source.range(of: "\(name) = `") else {
            throw SnapdSourceError("\(name) not found in \(file)")
        }
        guard let end = source[start.upperBound...].firstIndex(of: "`") else {
            throw SnapdSourceError("\(name) in \(file) is not terminated")
        }
        return String(source[start.upperBound..<end])
    }

    struct Run {
        let status: Int32
        let output: String
    }

    static func runChecker(_ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(checker))
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("snapdepot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

struct SnapdSourceError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// One line of the manifest `snapd-checker make` writes beside the assertions it signs.
struct CheckerManifestEntry: Decodable {
    let file: String
    let type: String
    /// The lowest format snapd's `SuggestFormat` allows for the assertion's headers.
    let minFormat: Int

    enum CodingKeys: String, CodingKey {
        case file, type
        case minFormat = "min-format"
    }

    static func decode(_ data: Data) throws -> [CheckerManifestEntry] {
        try JSONDecoder().decode([CheckerManifestEntry].self, from: data)
    }
}
