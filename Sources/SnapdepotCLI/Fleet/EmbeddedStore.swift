import Foundation
import Logging
import SnapFiles
import StoreHTTP
import StorePersistence

/// A store in this process, on loopback, with the workshop's world (`seed-data/`) loaded into a
/// scratch folder: what `fleet run` rehearses against when no `--store` is named.
struct EmbeddedStore {
    let url: String
    let token: String
    let folder: URL

    static func start(seedData: String, keyBits: Int, report: (String) -> Void) async throws -> EmbeddedStore {
        let source = URL(fileURLWithPath: seedData)
        let world = try SeedDataCommand.World.read(from: source)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "snapdepot-fleet-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let directory = DataDirectory(path: folder.path)
        let (store, _, newToken) = try await directory.openStore(keyBits: keyBits, deltas: XDelta3.isAvailable)
        guard let token = newToken else { throw CLIError("\(folder.path) already had a store") }
        report("loading \(source.path) into an embedded store (keys of \(keyBits) bits)")
        _ = try await SeedDataCommand.Load.load(
            world, from: source, into: store, folder: folder.path, keyBits: keyBits, report: { _ in })
        var logger = Logger(label: "snapdepot-fleet-store")
        logger.logLevel = .error
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let server = StoreServer(store: store, host: "127.0.0.1", port: 0)
        // The server lives as long as the process: a fleet run ends by exiting.
        Task {
            do {
                try await server.run(logger: logger) { continuation.yield($0) }
            } catch {
                FileHandle.standardError.write(Data("the embedded store stopped: \(error)\n".utf8))
            }
            continuation.finish()
        }
        guard let port = await ports.first(where: { _ in true }) else {
            throw CLIError("the embedded store did not start")
        }
        return EmbeddedStore(url: "http://127.0.0.1:\(port)", token: token, folder: folder)
    }
}
