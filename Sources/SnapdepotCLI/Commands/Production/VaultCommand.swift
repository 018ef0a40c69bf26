import ArgumentParser
import Assertions
import Foundation
import StoreProtocol

/// The serial vault's keys: a brand hands the store the key its devices' serials are signed with.
struct VaultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vault",
        abstract: "Give the serial vault a brand's signing key; list the keys it holds; set who it signs for.",
        subcommands: [AddKey.self, List.self, Policy.self]
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

    struct Policy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show or set which devices the vault signs serials for, per brand.",
            discussion: """
                open (the default, for workshops): any device of a model the store holds. --api-key: only \
                devices that send the key the store makes now in an `api-key` header, as a gadget's \
                prepare-device hook sets it (`snapctl set device-service.headers='{"api-key": "KEY"}'`, \
                or `snapdepot agent set device-service.headers=…`); the key is printed once, and a new one \
                replaces the old at once. --serial PATTERN (repeatable, `*` and `?` wildcards): only \
                devices proposing a matching serial (registration.proposed-serial). Without a choice, \
                shows the policy.
                """)
        @Option(help: "The account (brand).") var account: String
        @Flag(help: "Sign for any device of a model the store holds.") var open = false
        @Flag(help: "Sign only for devices presenting a new API key, printed once.") var apiKey = false
        @Option(name: .customLong("serial"), help: "Sign only serials matching this pattern (repeatable).")
        var serials: [String] = []
        @Flag(help: "Print machine-readable JSON.") var json = false

        func validate() throws {
            if [open, apiKey, !serials.isEmpty].filter({ $0 }).count > 1 {
                throw ValidationError("choose one of --open, --api-key and --serial")
            }
        }

        func run() async throws {
            let path = "/admin/v1/accounts/\(account)/vault-policy"
            let client = try StoreClient.fromEnvironment()
            let answer: VaultPolicyListing
            if open || apiKey || !serials.isEmpty {
                let mode = open ? "open" : apiKey ? "api-key" : "serials"
                answer = try await client.put(
                    path, VaultPolicyChange(mode: mode, serials: serials.isEmpty ? nil : serials),
                    as: VaultPolicyListing.self)
            } else {
                answer = try await client.get(path, as: VaultPolicyListing.self)
            }
            if json { return try JSONOutput.print(answer) }
            print("\(account)'s serial vault: \(answer.summary)")
            if let key = answer.apiKey {
                print("API key (shown once; the store keeps only its hash): \(key)")
            }
        }
    }
}
