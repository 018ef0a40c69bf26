import ArgumentParser
import Assertions
import Foundation
import StoreCore

struct ValidationSetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validation-set",
        abstract: "Create, sign, publish and list validation sets (signed with a brand's registered key).",
        subcommands: [Create.self, Sign.self, Publish.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a validation set's headers (YAML) to sign; snap ids come from the store when left out.")

        @Argument(help: "Set name.") var name: String
        @Option(help: "The brand account the set belongs to.") var account: String
        @Option(help: "Sequence number (1 and up).") var sequence: Int = 1
        @Option(help: "NAME[=SNAP-ID][:required|optional|invalid][@REVISION], repeatable.") var snap: [String]
        @Option(name: .shortAndLong, help: "Output file (default: standard output).") var output: String?

        func run() async throws {
            var lines = [
                "type: validation-set", "authority-id: \(account)", "account-id: \(account)", "series: 16",
                "name: \(name)", "sequence: \(sequence)", "timestamp: \(Timestamp.now().text)", "snaps:",
            ]
            for spec in snap {
                var rest = Substring(spec)
                var revision: String?
                if let at = rest.lastIndex(of: "@") {
                    revision = String(rest[rest.index(after: at)...])
                    rest = rest[..<at]
                }
                var presence = "required"
                if let colon = rest.lastIndex(of: ":") {
                    presence = String(rest[rest.index(after: colon)...])
                    rest = rest[..<colon]
                }
                let parts = rest.split(separator: "=", maxSplits: 1).map(String.init)
                guard let snapName = parts.first else { throw CLIError("empty --snap") }
                let snapID = parts.count == 2 ? parts[1] : try await Self.snapID(of: snapName)
                lines += ["  -", "    name: \(snapName)", "    id: \(snapID)", "    presence: \(presence)"]
                if let revision { lines.append("    revision: \(revision)") }
            }
            let text = lines.joined(separator: "\n") + "\n"
            if let output {
                try Data(text.utf8).write(to: URL(fileURLWithPath: output))
            } else {
                print(text, terminator: "")
            }
        }

        static func snapID(of name: String) async throws -> String {
            try await StoreClient.fromEnvironment().get("/admin/v1/snaps/\(name)/status", as: SnapStatus.self).snapID
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Sign a validation set's headers with a local key.")
        @Argument(help: "Headers file (YAML or JSON).") var file: String
        @Option(name: .shortAndLong, help: "Name or id of the registered key.") var key: String
        @OptionGroup var keys: KeyStoreOption

        func run() async throws {
            let (headers, body) = try HeaderInput.parse(String(decoding: try InputFile.read(file), as: UTF8.self))
            guard headers["type"]?.stringValue == "validation-set" else {
                throw CLIError("\(file) does not describe a validation-set")
            }
            let assertion = try AssertionSigner.sign(headers: headers, body: body, key: try keys.store.load(key))
            FileHandle.standardOutput.write(Data(AssertionStream.encode([assertion])))
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Publish a signed validation set to the store.")
        @Argument(help: "The signed assertion.") var file: String
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let data = try await StoreClient.fromEnvironment().raw(
                .POST, "/api/v2/validation-sets", body: try InputFile.read(file),
                contentType: "application/x.ubuntu.assertion")
            if json {
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("published")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List your validation sets (latest sequences).")
        @Argument(help: "Only this set.") var name: String?
        @Option(help: "A sequence number, or all.") var sequence: String?
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let data = try await StoreClient.fromEnvironment().raw(
                .GET, "/api/v2/validation-sets" + (name.map { "/\($0)" } ?? ""), body: nil,
                contentType: "application/json",
                query: sequence.map { ["sequence": $0] } ?? [:])
            if json { return print(String(decoding: data, as: UTF8.self)) }
            let object = (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
            let sets = (object["assertions"] as? [[String: Any]] ?? []).compactMap { $0["headers"] as? [String: Any] }
            print(
                Table.render(
                    ["Name", "Sequence", "Revision", "Snaps"],
                    sets.map {
                        [
                            $0["name"] as? String ?? "", $0["sequence"] as? String ?? "",
                            $0["revision"] as? String ?? "0",
                            String(($0["snaps"] as? [Any])?.count ?? 0),
                        ]
                    }))
        }
    }
}
