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

struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "Create and list publisher and brand accounts, and issue their tokens (admin).",
        subcommands: [Create.self, List.self, Token.self]
    )

    struct Account: Codable {
        let id: String
        let username: String
        let displayName: String
        let validation: String
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account; the store signs its account assertion.")

        @Argument(help: "Username.") var username: String
        @Option(help: "Account id: a short id like acme-brand, or omit for a generated 32-character one.") var id:
            String?
        @Option(help: "Display name.") var displayName: String?
        @Option(help: "unproven, verified or starred.") var validation: String = "unproven"
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            struct Body: Encodable {
                let username: String
                let id: String?
                let displayName: String?
                let validation: String
            }
            let account = try await StoreClient.fromEnvironment().post(
                "/admin/v1/accounts",
                Body(username: username, id: id, displayName: displayName, validation: validation),
                as: Account.self)
            if json {
                try JSONOutput.print(account)
            } else {
                print("created account \(account.username): \(account.id)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts.")
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let accounts = try await StoreClient.fromEnvironment().get("/admin/v1/accounts", as: [Account].self)
            if json { return try JSONOutput.print(accounts) }
            print(
                Table.render(
                    ["Username", "Id", "Validation", "Display name"],
                    accounts.map { [$0.username, $0.id, $0.validation, $0.displayName] }))
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a publisher token for an account.")
        @Argument(help: "Account id.") var account: String
        @Option(help: "What the token is for.") var description: String = ""
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            struct Issued: Codable {
                let token: String
                let accountID: String
            }
            let issued = try await StoreClient.fromEnvironment().post(
                "/admin/v1/accounts/\(account)/tokens", ["description": description], as: Issued.self)
            if json { try JSONOutput.print(issued) } else { print(issued.token) }
        }
    }
}
