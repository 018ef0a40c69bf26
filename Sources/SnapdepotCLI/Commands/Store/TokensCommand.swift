import ArgumentParser
import Assertions
import Foundation
import StoreCore
import StoreProtocol

struct TokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokens",
        abstract: "List and revoke the store's tokens and snapcraft logins, and rotate the admin token (admin).",
        discussion: """
            Tokens and logins are listed by id (the start of their hash): the store keeps no token itself. \
            A revoked one fails at its next request. Publisher tokens are issued with `accounts token`; \
            logins are made by `snapcraft login` and `export-login`. A device's sessions are ended with \
            `devices revoke-sessions`.
            """,
        subcommands: [List.self, Revoke.self, RotateAdmin.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every token by id.")
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let tokens = try await StoreClient.fromEnvironment().get("/admin/v1/tokens", as: [TokenListing].self)
            if json { return try JSONOutput.print(tokens) }
            print(
                Table.render(
                    ["Id", "Kind", "Role", "Account", "Created", "Expires", "Description"],
                    tokens.map {
                        [
                            $0.id, $0.kind, $0.role, $0.accountID ?? "-", $0.createdAt, $0.expiresAt ?? "never",
                            $0.description,
                        ]
                    }))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token or login by the id `tokens list` shows.")
        @Argument(help: "Token id.") var id: String

        func run() async throws {
            _ = try await StoreClient.fromEnvironment().raw(
                .DELETE, "/admin/v1/tokens/\(id)", body: nil, contentType: "application/json")
            print("revoked \(id)")
        }
    }

    struct RotateAdmin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rotate-admin",
            abstract: "Replace the admin token in use; the old one stops working at once.",
            discussion: """
                The new token is written to DATA/admin-token (0600), where `serve` tells scripts to read it; \
                it is printed only with --print.
                """)
        @Option(help: "The store's data folder (default: $SNAPDEPOT_DATA or ~/.local/share/snapdepot/store).")
        var data: String?
        @Flag(help: "Print the new token instead of writing it to the data folder.") var print = false

        func run() async throws {
            struct Rotated: Codable { let token: String }
            let rotated = try await StoreClient.fromEnvironment().post(
                "/admin/v1/tokens/rotate-admin", [String: String](), as: Rotated.self)
            if print {
                Swift.print(rotated.token)
                return
            }
            let path = (data ?? ServeCommand.defaultDataDirectory()) + "/admin-token"
            try PrivateFile.write(Array((rotated.token + "\n").utf8), to: URL(fileURLWithPath: path))
            Swift.print("the old admin token no longer works; the new one is in \(path)")
            Swift.print("export SNAPDEPOT_TOKEN=$(cat \(path))")
        }
    }
}
