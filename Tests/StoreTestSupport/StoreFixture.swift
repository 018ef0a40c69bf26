import Assertions
import Foundation
import SnapFiles
import StoreCore
import StorePersistence
import TestSupport

/// A real store on a temporary data folder (its catalogue in SQLite, or in a PostgreSQL database
/// of its own; blobs on disk; 2048-bit keys for speed), and real snaps packed for it.
public struct StoreFixture: Sendable {
    public let folder: URL
    public let directory: DataDirectory
    public let store: SnapStore
    public let catalogue: any Catalogue
    public let adminToken: String
    let postgres: PostgresTestDatabase?

    public static func make(
        engine: CatalogueEngine = .sqlite, uploadLimit: UInt64 = 1 << 30, extraTrusted: [Assertion] = [],
        deltas: Bool = false
    ) async throws -> StoreFixture {
        let folder = try makeTemporaryDirectory("store")
        let directory = DataDirectory(path: folder.appendingPathComponent("data").path)
        if !extraTrusted.isEmpty {
            try FileManager.default.createDirectory(atPath: directory.path, withIntermediateDirectories: true)
            try directory.addTrusted(extraTrusted)
        }
        let postgres = engine == .postgres ? try PostgresTestDatabase.make() : nil
        let (store, catalogue, token) = try await directory.openStore(
            keyBits: 2048, uploadLimit: uploadLimit, deltas: deltas, database: postgres?.location)
        return StoreFixture(
            folder: folder, directory: directory, store: store, catalogue: catalogue, adminToken: token ?? "",
            postgres: postgres)
    }

    /// Another store on the same folder and catalogue: a replica, as a second `serve` on a shared
    /// PostgreSQL database and blob folder is. Close its catalogue when done (`close(_:)`).
    public func replica() async throws -> SnapStore {
        try await directory.openStore(keyBits: 2048, database: postgres?.location).store
    }

    /// Closes a replica's connections.
    public func close(_ replica: SnapStore) {
        (replica.catalogue as? PostgresCatalogue)?.close()
    }

    /// `data check` on this store's folder and catalogue.
    public func check() async throws -> DataCheck {
        try await directory.check(database: postgres?.location)
    }

    public func cleanUp() {
        (catalogue as? PostgresCatalogue)?.close()
        postgres?.drop()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Packs a snap named `name` with `version` and an optional payload, and returns its path.
    public func packSnap(
        _ name: String, version: String = "1.0", architectures: [String]? = nil, payload: Int = 0,
        payloadSeed: UInt64? = nil, extraYAML: String = ""
    ) throws -> String {
        let source = folder.appendingPathComponent("src-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: source.appendingPathComponent("meta"), withIntermediateDirectories: true)
        var yaml = "name: \(name)\nversion: '\(version)'\nsummary: test snap\ndescription: test snap\n"
        if let architectures { yaml += "architectures: [\(architectures.joined(separator: ", "))]\n" }
        yaml += extraYAML
        try Data(yaml.utf8).write(to: source.appendingPathComponent("meta/snap.yaml"))
        // The same seed gives two versions the same payload but its last bytes: a delta's case.
        var generator = SplitMix64(
            seed: payloadSeed ?? (UInt64(payload) &+ UInt64(bitPattern: Int64(version.hashValue))))
        let bytes = (0..<payload).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        try Data(bytes + Array(version.utf8)).write(to: source.appendingPathComponent("payload"))
        let output = folder.appendingPathComponent("\(name)-\(version)-\(UUID().uuidString).snap").path
        _ = try SnapPacker().pack(directory: source.path, output: output)
        try? FileManager.default.removeItem(at: source)
        return output
    }

    /// Reads a file into the blob store the way an HTTP upload does.
    public func ingest(_ path: String) throws -> IngestedBlob {
        try store.blobs.ingest(fileAt: path, limit: store.uploadLimit)
    }

    /// A publisher account with a snap registered to it.
    public func publisher(_ username: String, id: String? = nil) async throws -> Principal {
        let account = try await store.createAccount(username: username, id: id, validation: "verified", by: .admin)
        return Principal(role: .publisher, accountID: account.id)
    }

    public var temporaryUploads: [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: directory.path + "/blobs/tmp")) ?? []
    }
}
