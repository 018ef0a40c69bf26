import ArgumentParser
import Assertions
import Foundation

/// The production model's "write and sign a model assertion" step, with the checks a workshop needs.
struct ModelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Write and sign model assertions, checked against the store before signing.",
        subcommands: [Create.self, Sign.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the headers of a new model (YAML) to edit and then sign with `model sign`.",
            discussion: """
                A series-16 core model needs --gadget and --kernel (the seed's my-pi3: --architecture armhf \
                --gadget pi3 --kernel pi2-kernel). --classic makes a classic model. For the UC20+ form, \
                pass --base and --grade: each entry of `snaps` gets its snap id from the store you are logged in \
                to; a snap the store does not have yet is left without one, and said so.
                """
        )
        @Argument(help: "Model name, e.g. my-pi3.") var model: String
        @Option(help: "The brand's account id.") var brand: String
        @Option(help: "Architecture the devices run.") var architecture: String
        @Option(help: "Gadget snap.") var gadget: String?
        @Option(help: "Kernel snap.") var kernel: String?
        @Option(help: "Base snap (core20 or later makes the UC20+ form with --grade).") var base: String?
        @Option(help: "Grade of a UC20+ model: dangerous, signed or secured.") var grade: String?
        @Option(name: .customLong("required-snap"), help: "A snap every device has; repeat for more.")
        var requiredSnaps: [String] = []
        @Flag(help: "A classic (non-Core) model.") var classic = false

        func run() async throws {
            var lines = [
                "type: model", "authority-id: \(brand)", "brand-id: \(brand)", "series: 16", "model: \(model)",
                "architecture: \(architecture)",
            ]
            if classic { lines.append("classic: true") }
            if let grade {
                let baseName = base ?? "core22"
                lines += ["base: \(baseName)", "grade: \(grade)", "snaps:"]
                // Real UC20+ models list the base among the snaps too, so that its channel is the brand's choice.
                let entries =
                    [(gadget, "gadget"), (kernel, "kernel"), (baseName, "base")].compactMap { name, type in
                        name.map { ($0, type) }
                    } + requiredSnaps.map { ($0, "app") }
                let client = try? StoreClient.fromEnvironment()
                for (name, type) in entries {
                    lines += ["  - name: \(name)", "    type: \(type)", "    default-channel: latest/stable"]
                    if let client, let id = await ModelPreflight.snapID(name, client: client) {
                        lines.append("    id: \(id)")
                    } else {
                        FileHandle.standardError.write(
                            Data("note: \(name) is not in the store yet: add its id: once it is registered\n".utf8))
                    }
                }
            } else {
                if let gadget { lines.append("gadget: \(gadget)") }
                if let kernel { lines.append("kernel: \(kernel)") }
                if let base { lines.append("base: \(base)") }
                if !requiredSnaps.isEmpty { lines.append("required-snaps: [\(requiredSnaps.joined(separator: ", "))]") }
            }
            lines.append("timestamp: \(Timestamp.now().text)")
            print(lines.joined(separator: "\n"))
        }
    }

    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a model's headers against the store, then sign them with the brand's key.",
            discussion: """
                Before signing: the authority is the brand, the series is 16, the form's headers are \
                right, the key is registered with the store for the brand, and every snap the model \
                names is in the store with a revision for its architecture. --offline skips the \
                store checks. Missing authority-id and timestamp are filled in.
                """
        )
        @Argument(help: "Headers file (YAML or JSON), or - for standard input.") var file: String = "-"
        @Option(name: .shortAndLong, help: "Name or id of the brand's signing key.") var key: String
        @Flag(help: "Sign without asking the store (key registration, snaps).") var offline = false
        @OptionGroup var keys: KeyStoreOption

        func run() async throws {
            let text = String(decoding: try InputFile.read(file), as: UTF8.self)
            var (headers, body) = try HeaderInput.parse(text)
            let signingKey: PrivateKey
            do {
                signingKey = try keys.store.load(key)
            } catch {
                throw CLIError(
                    "no key \"\(key)\" in \(keys.store.directory.path): create one with `snapdepot key create \(key)` "
                        + "and register it with `snapdepot key register \(key) --account BRAND`")
            }
            headers = try ModelPreflight.complete(headers)
            let model = try ModelPreflight.checkForm(headers, body: body, key: signingKey)
            if !offline {
                try await ModelPreflight.checkStore(model, key: signingKey, keyName: key, client: .fromEnvironment())
            }
            FileHandle.standardOutput.write(Data(AssertionStream.encode([model.assertion])))
        }
    }
}
