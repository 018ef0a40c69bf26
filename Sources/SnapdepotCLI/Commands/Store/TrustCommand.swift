import ArgumentParser
import Assertions
import Foundation
import StoreCore
import StorePersistence

struct TrustCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trust", abstract: "Show or set up the roots a store signs under and trusts.",
        subcommands: [Show.self, Init.self, Add.self])

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the store's root and what makes a snapd client trust it.")
        @Option(help: "Data folder.") var data: String?
        @Flag(help: "Print only the trusted assertions (account and account-key of the root).") var assertions = false

        func run() async throws {
            let directory = DataDirectory(path: data ?? ServeCommand.defaultDataDirectory())
            guard directory.isInitialized else {
                throw CLIError(
                    "\(directory.path) is not a store yet: run `snapdepot serve --data \(directory.path)` once")
            }
            let identity = try directory.loadIdentity()
            let trusted = AssertionStream.encode(identity.trusted)
            if assertions {
                FileHandle.standardOutput.write(Data(trusted))
                return
            }
            let rootKey = identity.trusted.first { $0.type == .accountKey }?.string("public-key-sha3-384") ?? "?"
            print(
                """
                authority:    \(identity.authorityID)
                root key:     \(rootKey)
                store key:    \(identity.storeKey.id)

                A snapd client trusts only Canonical's root, and, when built with the withtestkeys tag,
                snapd's test root "testrootorg". So:
                  - a store made with `snapdepot serve --testrootorg` is trusted by withtestkeys builds of
                    snap/snapd as they are (see ../docs/snapd-client.md for building one), and
                  - for this store's own root, a test build can add it with sysdb.InjectTrusted; its
                    trusted assertions are printed by `snapdepot trust show --assertions`.
                Point the client at the store with the export lines `snapdepot serve` prints.
                """)
            if identity.authorityID == "testrootorg" {
                print("\nThis store signs as testrootorg: withtestkeys snapd builds trust it as is.")
            }
        }
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a store's signing identity before its first start.")
        @Option(help: "Data folder.") var data: String?
        @Flag(help: "Sign as snapd's test root, with the keys read from snapd's installed source.") var testrootorg =
            false
        @Option(help: "Authority id of a generated root.") var authorityID: String = "snapdepot"
        @Option(help: "Key size of a generated root.") var keyBits: Int = 4096

        func run() async throws {
            let directory = DataDirectory(path: data ?? ServeCommand.defaultDataDirectory())
            guard !directory.isInitialized else { throw CLIError("\(directory.path) already has a signing identity") }
            try FileManager.default.createDirectory(
                atPath: directory.path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            if testrootorg {
                try directory.install(identity: try SnapdTestKeys.identity(), rootKey: try SnapdTestKeys.rootKey())
            } else {
                let (identity, rootKey) = try StoreIdentity.generate(authorityID: authorityID, bits: keyBits)
                try directory.install(identity: identity, rootKey: rootKey)
            }
            print("signing identity written to \(directory.path)")
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Trust another root too (its account and account-key), to import snaps it signed.")
        @Option(help: "Data folder.") var data: String?
        @Argument(help: "Assertion stream with the root's account and account-key.") var file: String

        func run() async throws {
            let directory = DataDirectory(path: data ?? ServeCommand.defaultDataDirectory())
            try directory.addTrusted(try AssertionStream.decode(try InputFile.read(file)))
            print("trusted; restart the store to use it")
        }
    }
}
