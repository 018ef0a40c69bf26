import Assertions
import Foundation
import SnapFiles
import StoreCore
import StorePersistence

/// What the device-side benchmarks start from: a store in a scratch folder with a brand, its key
/// registered and in the serial vault, a signed model, and `bench-app` at revisions 1 and 2 (2 on
/// stable).
struct BrandBenchWorld {
    let store: SnapStore
    let model: Model
    let snapID: String
    let publisher: Principal

    static func make(in work: URL, brandKeyBits: Int) async throws -> BrandBenchWorld {
        let data = DataDirectory(path: work.appendingPathComponent("data").path)
        let (store, _, _) = try await data.openStore(keyBits: 2048)
        let brand = try await store.createAccount(
            username: "bench-brand", id: "bench-brand", validation: "verified", by: .admin)
        let brandKey = try PrivateKey.generate(bits: brandKeyBits)
        _ = try await store.registerKey(accountID: brand.id, name: "serials", publicKey: brandKey.publicKey, by: .admin)
        try await store.addVaultKey(brandKey, accountID: brand.id, by: .admin)
        let model = try Model(
            try AssertionSigner.sign(
                headers: [
                    "type": "model", "authority-id": "bench-brand", "brand-id": "bench-brand", "series": "16",
                    "model": "bench-device", "architecture": "amd64", "gadget": "pc", "kernel": "pc-kernel",
                    "timestamp": .string(Timestamp.now().text),
                ], key: brandKey))
        _ = try await store.importAssertions([model.assertion], by: .admin)
        let publisher = Principal(role: .publisher, accountID: brand.id)
        _ = try await store.register(name: "bench-app", by: publisher)
        var snapID = ""
        for version in ["1", "2"] {
            let source = work.appendingPathComponent("bench-app-\(version)")
            try FileManager.default.createDirectory(
                at: source.appendingPathComponent("meta"), withIntermediateDirectories: true)
            try Data("name: bench-app\nversion: '\(version)'\nsummary: b\ndescription: b\n".utf8)
                .write(to: source.appendingPathComponent("meta/snap.yaml"))
            let file = work.appendingPathComponent("bench-app-\(version).snap").path
            _ = try SnapPacker().pack(directory: source.path, output: file).size
            let blob = try store.blobs.ingest(fileAt: file, limit: store.uploadLimit)
            snapID = try await store.upload(blob, name: "bench-app", release: ["stable"], by: publisher).snapID
        }
        return BrandBenchWorld(store: store, model: model, snapID: snapID, publisher: publisher)
    }
}
