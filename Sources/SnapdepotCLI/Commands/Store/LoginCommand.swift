import ArgumentParser
import Foundation
import StoreCore

struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Save the store URL and a token (0600) for the other commands.",
        discussion: "The admin token of a local store is in DATA/admin-token; `accounts token` issues publisher tokens."
    )

    @Option(help: "The store's URL, as `serve` printed it.") var url: String
    @Option(help: "A token.") var token: String?
    @Option(help: "A file holding the token, such as DATA/admin-token.") var tokenFile: String?
    @Flag(help: "Print machine-readable JSON.") var json = false

    struct WhoAmI: Codable {
        let role: String
        let accountID: String?
    }

    func run() async throws {
        let secret: String
        if let token {
            secret = token
        } else if let tokenFile {
            guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
                throw CLIError("cannot read \(tokenFile)")
            }
            secret = text.trimmingCharacters(in: .whitespacesAndNewlines)
        } else {
            throw CLIError("give --token or --token-file")
        }
        let credentials = Credentials(url: url, token: secret)
        let whoami = try await StoreClient(credentials).get("/admin/v1/whoami", as: WhoAmI.self)
        try credentials.save()
        if json {
            try JSONOutput.print(whoami)
        } else {
            print(
                "logged in to \(url) as \(whoami.accountID ?? "the store admin") (\(whoami.role)); saved in \(Credentials.file.path)"
            )
        }
    }
}
