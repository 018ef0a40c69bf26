import ArgumentParser
import Assertions
import Foundation

/// The serial vault's keys: a brand hands the store the key its devices' serials are signed with.
struct VaultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault",
        abstract: "Give the serial vault a brand's signing key; list the keys it holds.",
        subcommands: [AddKey.self, List.self]
    )

    struct Keys: Codable {
        let accountID: String
        let keyIDs: [String]
    }

    struct AddKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-key",
            abstract: "Upload a registered key's private half to the store's serial vault.",
            discussion: """
                The vault signs each device's serial with it, as Canonical's Serial Vault holds a brand's \
                key. The key must already be registered for the account (`snapdepot key register`). The \
                store keeps it 0600 in DATA/vault-keys and never serves it; send it over loopback or TLS.
                """)
        @Argument(help: "Key name or id in the local key store.") var key: String
        @Option(help: "The account (brand) the key is registered for.") var account: String
        @OptionGroup var keys: KeyStoreOption
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let privateKey = try keys.store.load(key)
            let answer = try await StoreClient.fromEnvironment().post(
                "/admin/v1/accounts/\(account)/vault-keys", ["private-key": try privateKey.pem()], as: Keys.self)
            if json { return try JSONOutput.print(answer) }
            print("the serial vault signs \(account)'s serials with \(privateKey.id)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the vault's keys of an account.")
        @Option(help: "The account (brand).") var account: String
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let answer = try await StoreClient.fromEnvironment().get(
                "/admin/v1/accounts/\(account)/vault-keys", as: Keys.self)
            if json { return try JSONOutput.print(answer) }
            print(
                answer.keyIDs.isEmpty ? "the vault holds no key of \(account)" : answer.keyIDs.joined(separator: "\n"))
        }
    }
}
