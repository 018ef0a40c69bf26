import ChildProcesses
import Foundation

/// The `sh` blocks of one of the project's documents, run as written, so that a guide cannot drift
/// from the commands it shows.
enum DocumentBlocks {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `sh` blocks of `document`, or of its section headed `## section` when one is named.
    static func blocks(of document: String, section: String? = nil) throws -> [String] {
        let text = try String(contentsOf: repository.appendingPathComponent(document), encoding: .utf8)
        var part = Substring(text)
        if let section {
            guard let start = text.range(of: "\n## \(section)") else { return [] }
            part = Substring(text[start.upperBound...].components(separatedBy: "\n## ").first ?? "")
        }
        return part.components(separatedBy: "```sh\n").dropFirst().compactMap {
            $0.components(separatedBy: "```").first
        }
    }

    /// Runs `script` with bash (`-euo pipefail`) in `directory`; the exit status and what it printed.
    static func run(_ script: String, in directory: URL, environment: [String: String]) throws -> (Int32, String) {
        let outcome = try ChildProcess.run(
            "/bin/bash", ["-euo", "pipefail", "-c", script], environment: environment, directory: directory.path,
            timeout: .seconds(900))
        return (outcome.timedOut ? 124 : outcome.status, outcome.output)
    }
}
