import Assertions
import AsyncHTTPClient
import Foundation
import NIOCore
import SnapFiles
import StoreCore
import StorePersistence

/// What the device-side benchmarks start from: a store in a scratch folder with a brand, its key
/// registered and in the serial vault, a signed model, and `bench-app` at revisions 1 and 2 (2 on
/// stable).
struct BrandBenchWorld {
    let store: SnapStore
    let model: Model
    private(set) var snapID: String
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
        var world = BrandBenchWorld(store: store, model: model, snapID: "", publisher: publisher)
        for version in ["1", "2"] {
            world.snapID = try await world.upload(version: version, in: work, release: ["stable"]).snapID
        }
        return world
    }

    /// Packs and uploads a revision of `bench-app` with this version (released if `release` says).
    func upload(version: String, in work: URL, release: [String] = []) async throws -> RevisionRecord {
        let source = work.appendingPathComponent("bench-app-\(version)")
        try FileManager.default.createDirectory(
            at: source.appendingPathComponent("meta"), withIntermediateDirectories: true)
        try Data("name: bench-app\nversion: '\(version)'\nsummary: b\ndescription: b\n".utf8)
            .write(to: source.appendingPathComponent("meta/snap.yaml"))
        let file = work.appendingPathComponent("bench-app-\(version).snap").path
        _ = try SnapPacker().pack(directory: source.path, output: file)
        let blob = try store.blobs.ingest(fileAt: file, limit: store.uploadLimit)
        return try await store.upload(blob, name: "bench-app", release: release, by: publisher)
    }

    /// The store's own side of a refresh: `bench-app` installed at revision 1, one `refresh`
    /// action, as a device without a session sends it.
    func refreshRequest(base: String) -> HTTPClientRequest {
        Self.refreshRequest(base: base, snapID: snapID)
    }

    static func refreshRequest(base: String, snapID: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: base + "/v2/snaps/refresh")
        request.method = .POST
        request.headers.add(name: "Snap-Device-Architecture", value: "amd64")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: refreshBody(snapID: snapID)))
        return request
    }

    /// The same refresh, as wrk sends it.
    static func refreshLoad(base: String, snapID: String) -> Wrk.Request {
        Wrk.Request(
            url: base + "/v2/snaps/refresh", method: "POST",
            headers: ["Snap-Device-Architecture": "amd64", "Content-Type": "application/json"],
            body: Data(refreshBody(snapID: snapID).utf8))
    }

    /// A device with `bench-app` revision 1 installed, asking for its refresh.
    static func refreshBody(snapID: String) -> String {
        #"{"context":[{"snap-id":"\#(snapID)","instance-key":"k","revision":1,"#
            + #""tracking-channel":"stable","epoch":{"read":[0],"write":[0]}}],"actions":[{"#
            + #""action":"refresh","instance-key":"k","snap-id":"\#(snapID)"}],"fields":["download"]}"#
    }
}
