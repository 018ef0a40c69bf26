import ArgumentParser
import Assertions
import ChildProcesses
import Foundation
import SnapFiles
import StoreCore
import StorePersistence
import Yams

/// The workshop's world (`seed-data/`) built into a store's data folder, ready for `serve`.
struct SeedDataCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-data",
        abstract: "Load the production-model workshop's world into a store.",
        subcommands: [Load.self]
    )

    struct World: Decodable {
        struct Brand: Decodable {
            let username: String
            let id: String
            let displayName: String

            enum CodingKeys: String, CodingKey {
                case username, id
                case displayName = "display-name"
            }
        }

        struct Snap: Decodable {
            struct Revision: Decodable {
                let version: String
                let release: [String]
            }

            let name: String
            let revisions: [Revision]
        }

        let brand: Brand
        let snaps: [Snap]
        let models: [String]

        static func read(from source: URL) throws -> World {
            let text = try String(contentsOf: source.appendingPathComponent("world.yaml"), encoding: .utf8)
            do {
                return try YAMLDecoder().decode(World.self, from: text, userInfo: [:])
            } catch {
                throw CLIError("\(source.path)/world.yaml is not valid: \(error)")
            }
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build seed-data/ into a data folder: the brand, its key, the snaps, the signed models.",
            discussion: """
                Offline, straight into DATA (stop any server using it first). Each snap revision is packed \
                from seed-data/snaps/NAME with its version written in; the brand's key is generated in \
                DATA/brand-keys (0600), registered and given to the serial vault; the models in seed-data/models are signed with it \
                and stored, so devices and `snap known --remote` find them. Loading twice changes nothing.
                """
        )

        @Option(help: "The store's data folder (default: the same as serve's).") var data: String?
        @Option(help: "The seed-data folder.") var seedData: String = "seed-data"
        @Flag(help: "Make a new store sign as snapd's test root, as `serve --testrootorg` does.") var testrootorg =
            false
        @Option(help: "Size of the generated keys.") var keyBits: Int = 4096
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let source = URL(fileURLWithPath: seedData)
            let world = try World.read(from: source)
            let folder = data ?? ServeCommand.defaultDataDirectory()
            let directory = DataDirectory(path: folder)
            if testrootorg && !directory.isInitialized {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
                try directory.install(identity: try SnapdTestKeys.identity(), rootKey: try SnapdTestKeys.rootKey())
            }
            let (store, _, _) = try await directory.openStore(keyBits: keyBits, database: try database.postgres)
            let loaded = try await Self.load(
                world, from: source, into: store, folder: folder, keyBits: keyBits,
                report: { line in if !json { print(line) } })
            if !loaded { return print("\(folder) already holds \(world.brand.id): nothing to load") }
            if json { try JSONOutput.print(["data": folder, "brand": world.brand.id]) }
        }

        /// Builds the world into an open store whose data folder is `folder` (its brand key goes in
        /// `folder/brand-keys`); false when the store holds the brand already.
        static func load(
            _ world: World, from source: URL, into store: SnapStore, folder: String, keyBits: Int,
            report: (String) -> Void
        ) async throws -> Bool {
            let keys = KeyStore(directory: URL(fileURLWithPath: folder).appendingPathComponent("brand-keys"))
            let keyName = "\(world.brand.username)-models"
            if try await store.catalogue.account(id: world.brand.id) != nil {
                // Folders loaded before the serial vault existed get the brand key in the vault.
                if keys.contains(keyName) {
                    try await store.addVaultKey(try keys.load(keyName), accountID: world.brand.id, by: .admin)
                }
                return false
            }
            _ = try await store.createAccount(
                username: world.brand.username, displayName: world.brand.displayName, id: world.brand.id,
                validation: "verified", by: .admin)
            let brandKey = try PrivateKey.generate(bits: keyBits)
            try keys.save(brandKey, as: keyName)
            _ = try await store.registerKey(
                accountID: world.brand.id, name: keyName, publicKey: brandKey.publicKey, by: .admin)
            try await store.addVaultKey(brandKey, accountID: world.brand.id, by: .admin)

            try await publish(world, from: source, to: store, report: report)
            for path in world.models {
                let model = try await sign(source.appendingPathComponent(path), key: brandKey, store: store)
                _ = try await store.importAssertions([model.assertion], by: .admin)
                report("model \(model.brandID)/\(model.model) signed with \(brandKey.id)")
            }
            return true
        }

        /// Packs, uploads and releases every revision of every snap, as the brand.
        private static func publish(
            _ world: World, from source: URL, to store: SnapStore, report: (String) -> Void
        ) async throws {
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("seed-data-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: work) }
            for snap in world.snaps {
                // Well-known names keep their well-known ids; the rest are derived from brand and
                // name, so every store seeded from this world has the same snap-ids.
                let snapID =
                    WellKnownSnaps.id(of: snap.name)
                    ?? Identifiers.snapID(derivedFrom: "snapdepot-seed/\(world.brand.id)/\(snap.name)")
                _ = try await store.register(name: snap.name, publisherID: world.brand.id, snapID: snapID, by: .admin)
                for revision in snap.revisions {
                    let file = try pack(snap.name, version: revision.version, from: source, into: work)
                    let blob = try store.blobs.ingest(fileAt: file, limit: store.uploadLimit)
                    let record = try await store.upload(blob, name: snap.name, release: revision.release, by: .admin)
                    report(
                        "\(snap.name) \(revision.version): revision \(record.revision) → "
                            + revision.release.joined(separator: ", "))
                }
            }
        }

        /// The time every seed snap and file carries: 2023-11-14 22:13:20 UTC.
        static let seedPackTime: UInt32 = 1_700_000_000

        /// Packs seed-data/snaps/NAME with `version` written into its snap.yaml.
        private static func pack(_ name: String, version: String, from source: URL, into work: URL) throws -> String {
            let tree = work.appendingPathComponent("\(name)-\(version)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            // cp, not FileManager.copyItem: that keeps the owner, which a user other than root
            // cannot do when seed-data/ is installed root-owned (the container image's).
            let copied = try ChildProcess.run(
                "/bin/cp", ["-R", source.appendingPathComponent("snaps/\(name)").path, tree.path],
                timeout: .seconds(120))
            guard copied.succeeded else {
                throw CLIError("cannot copy seed-data/snaps/\(name): \(copied.describe(timeout: .seconds(120)))")
            }
            let yamlFile = tree.appendingPathComponent("meta/snap.yaml")
            let yaml = try String(contentsOf: yamlFile, encoding: .utf8)
                .replacingOccurrences(of: "version: '0'", with: "version: '\(version)'")
            try Data(yaml.utf8).write(to: yamlFile)
            let output = work.appendingPathComponent("\(name)_\(version).snap").path
            var packer = SnapPacker()
            // The copy's files are new, so their times would be now: pinned, every store seeded
            // from seed-data/ holds the same bytes, and the deltas between them (hence a fleet
            // run's bytes for a seed) do not depend on which second each revision was packed in.
            packer.writer.fixedTime = seedPackTime
            _ = try packer.pack(directory: tree.path, output: output)
            return output
        }

        /// Signs a model's headers with the brand key, filling in what `model sign` fills in and the
        /// UC20+ snaps' ids from the store.
        private static func sign(_ file: URL, key: PrivateKey, store: SnapStore) async throws -> Model {
            var (headers, body) = try HeaderInput.parse(try String(contentsOf: file, encoding: .utf8))
            if case .list(let entries) = headers["snaps"] {
                var filled: [HeaderValue] = []
                for case .map(var entry) in entries {
                    if let name = entry["name"]?.stringValue, entry["id"] == nil {
                        entry["id"] = .string(try await store.snap(named: name).snapID)
                    }
                    filled.append(.map(entry))
                }
                headers["snaps"] = .list(filled)
            }
            return try ModelPreflight.checkForm(try ModelPreflight.complete(headers), body: body, key: key)
        }
    }
}
