import ArgumentParser
import Assertions
import ChildProcesses
import DeviceAgent
import Foundation

/// The production model's image step: a seed for a signed model, from the store, verified.
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Build device images (seeds) for signed models.",
        subcommands: [Build.self]
    )

    struct Build: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the seed of a model, like `snap prepare-image`.",
            discussion: """
                Resolves the model's snaps (core or snapd and its base, kernel, gadget, required snaps, \
                the snaps' own bases, and the --snap extras) for the model's architecture, downloads \
                each from the store you are logged in to, and keeps it only if its SHA3-384 and its \
                assertion chain verify against the store's root (or --trusted). The seed goes to \
                OUTPUT/image/var/lib/snapd/seed, OUTPUT/var/lib/snapd/seed with --classic, and \
                OUTPUT/system-seed (snaps/, systems/LABEL/) for a UC20+ model.
                """
        )

        @Argument(help: "The signed model assertion.") var model: String
        @Option(help: "Folder to write (must not hold a seed yet).") var output: String
        @Option(name: .customLong("snap"), help: "An extra snap, NAME or NAME=CHANNEL; repeat for more.")
        var snaps: [String] = []
        @Flag(help: "The model is a classic one: write the seed at the root of OUTPUT.") var classic = false
        @Option(help: "Architecture, when the model leaves it open (classic models).") var arch: String?
        @Option(help: "Root assertions to trust instead of asking the store for its own.") var trusted: String?
        @Option(help: "Also write the output folder as one tar archive, to flash in the factory step.") var tar: String?
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let (seed, entries) = try await build(client: try StoreClient.fromEnvironment())
            if json { return try JSONOutput.print(["seed": seed.path]) }
            print(
                Table.render(
                    ["snap", "revision", "channel", "file"],
                    entries.map { [$0.name, String($0.revision), $0.channel, $0.file] }))
            print("seed written to \(seed.path)")
        }

        /// Where `snap prepare-image` puts each kind of seed.
        private func seedFolder(for model: Model) -> URL {
            if model.form == .extended { return URL(fileURLWithPath: output).appendingPathComponent("system-seed") }
            return URL(fileURLWithPath: output).appendingPathComponent(classic ? "" : "image")
                .appendingPathComponent("var/lib/snapd/seed")
        }

        /// Builds the seed (and the tar, with --tar) from the store `client` reaches.
        func build(client: StoreClient) async throws -> (seed: URL, entries: [SeedBuilder.Entry]) {
            let given = try AssertionStream.decode(Array(try InputFile.read(model)))
            guard let modelAssertion = given.first(where: { $0.type == .model }) else {
                throw CLIError("\(model) holds no model assertion")
            }
            let parsed = try Model(modelAssertion)
            guard parsed.isClassic == classic else {
                throw CLIError(
                    parsed.isClassic
                        ? "\(parsed.model) is a classic model: pass --classic"
                        : "\(parsed.model) is not a classic model: drop --classic")
            }
            if let arch, !parsed.architecture.isEmpty, arch != parsed.architecture {
                throw CLIError("--arch \(arch) differs from the model's architecture \(parsed.architecture)")
            }
            let roots = try await client.trustedRoots(file: trusted)
            var trust = try TrustDatabase(trusted: roots)
            for assertion in given where assertion.type != .model && trust.find(assertion.reference) == nil {
                try? trust.add(assertion)
            }
            // NAME or NAME=CHANNEL; an empty channel takes the seed's default for that snap.
            let extras = try snaps.map { text -> (name: String, channel: String) in
                let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard let name = parts.first, !name.isEmpty else { throw CLIError("--snap \(text): name a snap") }
                return (name, parts.count > 1 ? parts[1] : "")
            }
            if let repeated = Dictionary(grouping: extras, by: \.name).first(where: { $0.value.count > 1 })?.key {
                throw CLIError("snap \"\(repeated)\" is repeated in options")
            }
            if parsed.form == .extended {
                // As snapd's seed writer: naming a model snap changes nothing; another channel or a
                // snap the model lacks needs grade dangerous (policy20's own words).
                let inModel = Set(
                    ["snapd"] + ([parsed.snapd, parsed.base, parsed.kernel, parsed.gadget].compactMap { $0?.name })
                        + parsed.otherSnaps.map(\.name))
                let changesModel = extras.contains { !$0.channel.isEmpty || !inModel.contains($0.name) }
                guard !changesModel || parsed.grade == .dangerous else {
                    throw CLIError(
                        "cannot override channels, add devmode snaps, local snaps, or extra snaps with a model of "
                            + "grade higher than dangerous")
                }
            }
            let seed = seedFolder(for: parsed)
            let progress = FileProgress(enabled: !json)
            let builder = SeedBuilder(
                connection: client.device, model: parsed, trust: trust, extras: extras, progress: progress.update,
                finished: progress.finish)
            let entries = try await builder.build(into: seed)
            if let tar { try archive(URL(fileURLWithPath: output), to: tar) }
            return (seed, entries)
        }

        private func archive(_ folder: URL, to file: String) throws {
            let archived = try ChildProcess.run(
                "/bin/tar", ["-C", folder.path, "-cf", file, "."], timeout: .seconds(600))
            guard archived.succeeded else {
                throw CLIError(
                    "tar could not write \(file) (\(archived.describe(timeout: .seconds(600)))): "
                        + archived.output.trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
    }
}
