import Assertions
import Foundation
import StoreProtocol

/// One device's state folder as the factory leaves it, the root a device agent runs from:
///
///     device.json                 brand, model, serial, key id, store, installed snaps
///     device-key.pem              the device's private key (0600)
///     assertions/trusted.assert   the roots the device trusts
///     assertions/model.assert     its model
///     assertions/serial.assert    its serial and the chain the vault sent with it
///     assertions/seed.assert      the seed's assertions (declarations, revisions, accounts, keys)
///     snaps/NAME_REV.snap         the seeded snaps, installed
public struct DeviceState: Codable, Sendable, Equatable {
    public let brandID: String
    public let model: String
    /// nil until the device registers: at first boot when the factory left that to it.
    public var serial: String?
    public let deviceKeyID: String
    public let store: String
    public let flashedAt: String
    public let snaps: [SeedImage.Snap]

    public init(
        brandID: String, model: String, serial: String?, deviceKeyID: String, store: String, flashedAt: String,
        snaps: [SeedImage.Snap]
    ) {
        self.brandID = brandID
        self.model = model
        self.serial = serial
        self.deviceKeyID = deviceKeyID
        self.store = store
        self.flashedAt = flashedAt
        self.snaps = snaps
    }

    /// Reads `device.json` of a device folder.
    public static func read(from folder: URL) throws -> DeviceState {
        try read(from: FileDeviceStorage(folder: folder))
    }

    /// Reads a device's `device.json`.
    public static func read(from storage: any DeviceStorage) throws -> DeviceState {
        guard let data = storage.read("device.json") else {
            throw DeviceAgentError("\(storage.location) is not a device folder: it has no device.json")
        }
        do {
            return try WireJSON.decoder.decode(DeviceState.self, from: Data(data))
        } catch {
            throw DeviceAgentError("\(storage.location)/device.json is not a device's state: \(error)")
        }
    }

    /// `device.json` as it is written.
    public func encoded() throws -> [UInt8] {
        let encoder = WireJSON.encoder
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(self))
    }

    /// A device folder for a plain machine (`agent init`): a model, the roots it trusts, a new key
    /// and no seed; it registers at first boot and installs what its owner asks for. The brand's
    /// account and key come from the store and must verify against the roots, with the model.
    public static func initialize(
        folder: URL, model: Model, store: String, roots: [Assertion], key: PrivateKey
    ) async throws -> DeviceState {
        guard !FileManager.default.fileExists(atPath: folder.path) else {
            throw DeviceAgentError("\(folder.path) already exists")
        }
        var trust = try TrustDatabase(trusted: roots)
        let fetcher = AssertionFetcher(connection: StoreConnection(baseURL: store))
        var chain = try await fetcher.chain(AssertionReference(.account, [model.brandID]), trusting: trust)
        chain += try await fetcher.chain(
            AssertionReference(.accountKey, [model.assertion.string("sign-key-sha3-384")]), trusting: trust)
        if let refused = trust.addAll(chain + [model.assertion]).first {
            throw DeviceAgentError("the model does not verify against the roots: \(refused.error.message)")
        }
        let device = DeviceState(
            brandID: model.brandID, model: model.model, serial: nil, deviceKeyID: key.id, store: store,
            flashedAt: Timestamp.now().text, snaps: [])
        try device.write(
            to: folder, key: key, image: SeedImage(seed: folder, model: model, assertions: chain, snaps: []),
            roots: roots, serialStream: [])
        return device
    }

    /// Records the serial a device got at first boot in `device.json`, replaced whole.
    func registered(_ serial: String, in storage: any DeviceStorage) throws -> DeviceState {
        var device = self
        device.serial = serial
        try storage.replace("device.json", with: device.encoded())
        return device
    }

    /// Writes the folder under a temporary name and renames it into place, so that a device is
    /// there whole or not at all.
    public func write(
        to folder: URL, key: PrivateKey, image: SeedImage, roots: [Assertion], serialStream: [Assertion]
    ) throws {
        let files = FileManager.default
        let staging = folder.deletingLastPathComponent().appendingPathComponent(".\(folder.lastPathComponent).partial")
        try? files.removeItem(at: staging)
        do {
            try files.createDirectory(
                at: staging.appendingPathComponent("assertions"), withIntermediateDirectories: true)
            try files.createDirectory(at: staging.appendingPathComponent("snaps"), withIntermediateDirectories: true)
            try PrivateFile.write(Array(try key.pem().utf8), to: staging.appendingPathComponent("device-key.pem"))
            try Data(encoded()).write(to: staging.appendingPathComponent("device.json"))
            let assertions = staging.appendingPathComponent("assertions")
            for (name, content) in [
                ("trusted", roots), ("model", [image.model.assertion]), ("serial", serialStream),
                ("seed", image.assertions),
            ] where !content.isEmpty {
                try Data(AssertionStream.encode(content)).write(to: assertions.appendingPathComponent("\(name).assert"))
            }
            for snap in image.snaps {
                let source = image.seed.appendingPathComponent(snap.file)
                let target = staging.appendingPathComponent(snap.installed.file)
                // Devices share the seed's bytes: a hard link, a copy across file systems.
                do {
                    try files.linkItem(at: source, to: target)
                } catch {
                    try files.copyItem(at: source, to: target)
                }
            }
            try files.moveItem(at: staging, to: folder)
        } catch {
            try? files.removeItem(at: staging)
            throw error
        }
    }
}
