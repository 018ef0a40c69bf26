import ArgumentParser
import Foundation

/// The production model's first step: the brand, a verified account whose id models carry.
struct BrandCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "brand",
        abstract: "Create the brand account that signs models (admin).",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a verified brand account whose id is NAME, ready for `key register` and `model sign`.")

        @Argument(help: "The brand's account id and username, e.g. acme-brand.") var name: String
        @Option(help: "Display name, e.g. \"ACME Devices\".") var displayName: String?
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            struct Body: Encodable {
                let username: String
                let id: String
                let displayName: String?
                let validation: String
            }
            let account = try await StoreClient.fromEnvironment().post(
                "/admin/v1/accounts",
                Body(username: name, id: name, displayName: displayName, validation: "verified"),
                as: AccountsCommand.Account.self)
            if json { return try JSONOutput.print(account) }
            print(
                "created brand \(account.id) (\(account.displayName)); next: snapdepot key register KEY --account \(account.id)"
            )
        }
    }
}
