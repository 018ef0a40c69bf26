import Assertions
import DeviceAgent
import Foundation
import SnapFiles

/// What every device of a fleet is flashed with: one image's model, seed assertions and snaps, and
/// the roots they trust. Checked once for the whole fleet — the image's assertions verified
/// against the roots and its snaps hashed and opened — because every device holds the same bytes
/// and would reach the same verdict; a device's own serial, session and everything it fetches
/// later it verifies itself.
public struct FleetImage: Sendable {
    public let model: Model
    let records: [String: [UInt8]]
    let installed: [SeedImage.Snap]
    let snaps: [String: PooledSnap]
    let database: TrustDatabase
    let pool: ContentPool

    public init(image: SeedImage, roots: [Assertion], pool: ContentPool) throws {
        var database = try TrustDatabase(trusted: roots)
        if let refused = database.addAll(image.assertions + [image.model.assertion]).first {
            throw DeviceAgentError(
                "the image does not verify against the roots: \(refused.assertion): \(refused.error.message)")
        }
        var snaps: [String: PooledSnap] = [:]
        for snap in image.snaps {
            let file = try pool.admit(fileAt: image.seed.appendingPathComponent(snap.file).path)
            snaps[(snap.installed.file as NSString).lastPathComponent] = file
        }
        model = image.model
        records = [
            "assertions/trusted.assert": AssertionStream.encode(roots),
            "assertions/model.assert": AssertionStream.encode([image.model.assertion]),
            "assertions/seed.assert": AssertionStream.encode(image.assertions),
        ]
        installed = image.snaps.map(\.installed)
        self.snaps = snaps
        self.database = database
        self.pool = pool
    }

    /// The revision of `snap` the image seeds, if it seeds it.
    func seededRevision(of snap: String) -> Int? {
        installed.first { $0.name == snap }?.revision
    }

    /// A device as the factory leaves it when it registers at first boot: the image, its own key,
    /// no serial yet.
    func flash(name: String, keyPEM: String, store: String, at time: Date) throws -> (
        MemoryDeviceStorage, DeviceState
    ) {
        let key = try PrivateKey(importing: keyPEM)
        let device = DeviceState(
            brandID: model.brandID, model: model.model, serial: nil, deviceKeyID: key.id, store: store,
            flashedAt: Timestamp(seconds: Int64(time.timeIntervalSince1970)).text, snaps: installed)
        var records = records
        records["device.json"] = try device.encoded()
        return (
            MemoryDeviceStorage(name: name, records: records, snaps: snaps, pool: pool, assertions: database), device
        )
    }
}
