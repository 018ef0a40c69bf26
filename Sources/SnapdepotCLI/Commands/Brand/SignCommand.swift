import ArgumentParser
import Assertions
import Foundation

struct SignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sign",
        abstract: "Sign assertion headers (JSON or YAML) and print the assertion, like `snap sign`.",
        discussion: """
            The input is a map of headers; all scalars are strings (YAML numbers are read as written). \
            A top-level "body" string becomes the body. Example:
              echo '{"type": "account", "authority-id": "root", "account-id": "root", \
            "display-name": "Root", "validation": "verified", "timestamp": "2026-01-01T00:00:00Z"}' \
            | snapdepot sign -k root
            """
    )

    @Option(name: .shortAndLong, help: "Name or id of the signing key.") var key: String
    @Option(help: "Signature creation time (RFC 3339); default now.") var time: String?
    @Argument(help: "Headers file, or - for standard input.") var file: String = "-"
    @OptionGroup var keys: KeyStoreOption

    func run() throws {
        let text = String(decoding: try InputFile.read(file), as: UTF8.self)
        let (headers, body) = try HeaderInput.parse(text)
        let signingKey = try keys.store.load(key)
        var signingTime = Timestamp.now()
        if let time {
            guard let parsed = Timestamp.parse(time) else { throw CLIError("--time is not an RFC 3339 time: \(time)") }
            signingTime = parsed
        }
        let assertion = try AssertionSigner.sign(
            headers: headers, body: body, key: signingKey, signingTime: signingTime)
        FileHandle.standardOutput.write(Data(AssertionStream.encode([assertion])))
    }
}
