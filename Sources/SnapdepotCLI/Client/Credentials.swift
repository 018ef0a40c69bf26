import Assertions
import Foundation

/// Where the CLI finds its store and token: `SNAPDEPOT_URL`/`SNAPDEPOT_TOKEN`, else what
/// `snapdepot login` saved in `~/.config/snapdepot/credentials.json` (0600).
struct Credentials: Codable {
    var url: String
    var token: String

    static var file: URL {
        let environment = ProcessInfo.processInfo.environment
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".config")
        return base.appendingPathComponent("snapdepot/credentials.json")
    }

    static func load() throws -> Credentials {
        let environment = ProcessInfo.processInfo.environment
        let saved = (try? Data(contentsOf: file)).flatMap { try? JSONDecoder().decode(Credentials.self, from: $0) }
        guard let url = environment["SNAPDEPOT_URL"] ?? saved?.url else {
            throw CLIError("no store to talk to: run `snapdepot login --url URL --token TOKEN`, or set SNAPDEPOT_URL")
        }
        guard let token = environment["SNAPDEPOT_TOKEN"] ?? saved?.token else {
            throw CLIError("no token: run `snapdepot login`, or set SNAPDEPOT_TOKEN")
        }
        return Credentials(url: url, token: token)
    }

    func save() throws {
        let folder = Self.file.deletingLastPathComponent()
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try PrivateFile.write(Array(try JSONEncoder().encode(self)), to: Self.file)
    }
}
