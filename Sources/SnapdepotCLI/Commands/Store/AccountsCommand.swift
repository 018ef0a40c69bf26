import ArgumentParser
import Foundation
import StoreCore

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
        @Option(help: "Email: what `snapcraft login` asks for, with one of the account's tokens as the password.")
        var email: String?
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            struct Body: Encodable {
                let username: String
                let id: String?
                let displayName: String?
                let validation: String
                let email: String?
            }
            let account = try await StoreClient.fromEnvironment().post(
                "/admin/v1/accounts",
                Body(username: username, id: id, displayName: displayName, validation: validation, email: email),
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
        @Option(help: "Seconds until the token stops working (default: never).") var expiresIn: Int64?
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            struct Body: Encodable {
                let description: String
                let expiresIn: Int64?
            }
            struct Issued: Codable {
                let token: String
                let accountID: String
            }
            let issued = try await StoreClient.fromEnvironment().post(
                "/admin/v1/accounts/\(account)/tokens", Body(description: description, expiresIn: expiresIn),
                as: Issued.self)
            if json { try JSONOutput.print(issued) } else { print(issued.token) }
        }
    }
}
