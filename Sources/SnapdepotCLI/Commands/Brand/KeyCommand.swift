import ArgumentParser
import Assertions
import Foundation

struct KeyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Create, list, export, import and register signing keys.",
        subcommands: [Create.self, List.self, Export.self, Import.self, Register.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate a new RSA key.")

        @Argument(help: "Key name (lower-case letters, digits and dashes).") var name: String
        @Option(help: "Key size in bits; snapd uses 4096.") var bits: Int = 4096
        @Flag(help: "Print machine-readable JSON.") var json = false
        @OptionGroup var keys: KeyStoreOption

        func run() throws {
            let store = keys.store
            guard !store.contains(name) else { throw CLIError("a key named \"\(name)\" already exists") }
            if !json { FileHandle.standardError.write(Data("generating a \(bits)-bit RSA key…\n".utf8)) }
            let key = try PrivateKey.generate(bits: bits)
            try store.save(key, as: name)
            if json {
                try JSONOutput.print(KeyListing(name: name, id: key.id, bits: bits))
            } else {
                print("created key \"\(name)\" (\(bits) bits): \(key.id)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored keys with their ids.")

        @Flag(help: "Print machine-readable JSON.") var json = false
        @OptionGroup var keys: KeyStoreOption

        func run() throws {
            let entries = try keys.store.list()
            if json {
                try JSONOutput.print(entries.map { KeyListing(name: $0.name, id: $0.id, bits: $0.bits) })
                return
            }
            if entries.isEmpty {
                print("no keys in \(keys.store.directory.path); create one with `snapdepot key create NAME`")
                return
            }
            let width = max(4, entries.map(\.name.count).max() ?? 0)
            print("Name".padding(toLength: width, withPad: " ", startingAt: 0) + "  Bits  SHA3-384")
            for entry in entries {
                print(entry.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  \(entry.bits)  \(entry.id)")
            }
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a key's public part (the account-key body), or with --private its PEM.")

        @Argument(help: "Key name or id.") var name: String
        @Flag(help: "Print the private key (PKCS#8 PEM). Handle the output as a secret.") var `private` = false
        @OptionGroup var keys: KeyStoreOption

        func run() throws {
            let key = try keys.store.load(name)
            if `private` {
                FileHandle.standardError.write(Data("warning: printing the private key of \"\(name)\"\n".utf8))
                print(try key.pem(), terminator: "")
            } else {
                print(key.publicKey.encoded)
            }
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store a private key: PEM, an armored OpenPGP private key, or snapd's encoded form.")

        @Argument(help: "Name to store the key under.") var name: String
        @Argument(help: "File to read, or - for standard input.") var file: String = "-"
        @Flag(help: "Print machine-readable JSON.") var json = false
        @OptionGroup var keys: KeyStoreOption

        func run() throws {
            let text = String(decoding: try InputFile.read(file), as: UTF8.self)
            let key = try PrivateKey(importing: text)
            try keys.store.save(key, as: name)
            if json {
                try JSONOutput.print(KeyListing(name: name, id: key.id, bits: key.publicKey.bitCount))
            } else {
                print("imported key \"\(name)\" (\(key.publicKey.bitCount) bits): \(key.id)")
            }
        }
    }

    struct Register: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a key with the store for an account (a brand); the store signs its account-key.",
            discussion: "What `snapcraft register-key` does with the real store.")
        @Argument(help: "Key name or id in the local key store.") var key: String
        @Option(help: "The account (brand) id the key signs for.") var account: String
        @OptionGroup var keys: KeyStoreOption
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            struct Registered: Codable {
                let keyID: String
                let accountKey: String
            }
            let privateKey = try keys.store.load(key)
            let name = (try? keys.store.list().first { $0.id == privateKey.id }?.name) ?? key
            let registered = try await StoreClient.fromEnvironment().post(
                "/admin/v1/accounts/\(account)/keys",
                ["name": name, "public-key": privateKey.publicKey.encoded], as: Registered.self)
            if json { try JSONOutput.print(registered) } else { print(registered.accountKey, terminator: "") }
        }
    }
}

struct KeyListing: Encodable {
    let name: String
    let id: String
    let bits: Int
}
