import Assertions
import Foundation
import SnapFiles
import StoreProtocol

/// A device that updates itself from a store as snapd does: it seeds from its image, then
/// refreshes its snaps — download, verify against its own trusted roots, install atomically,
/// keep `retain` revisions. One agent per device folder; its state goes through `stateStore`.
public struct Agent: Sendable {
    public let folder: URL
    public let device: DeviceState
    public let model: Model
    public let serial: Serial
    public let stateStore: any AgentStateStore
    /// snapd's `refresh.retain` default on Ubuntu Core.
    public var retain = 3
    /// Runs the snaps' `pre-refresh`, `post-refresh` and `check-health` hooks.
    public var hooks = HookRunner()
    let key: PrivateKey
    let storeURL: String

    /// Opens a device folder that `factory flash` made; its state defaults to `state.json` there.
    public static func open(
        folder: URL, stateStore: (any AgentStateStore)? = nil, storeURL: String? = nil
    ) throws -> Agent {
        let device = try DeviceState.read(from: folder)
        let assertions = folder.appendingPathComponent("assertions")
        func one(_ name: String) throws -> Assertion {
            guard let data = FileManager.default.contents(atPath: assertions.appendingPathComponent(name).path),
                let first = try AssertionStream.decode(Array(data)).first
            else { throw DeviceAgentError("\(folder.path) has no \(name)") }
            return first
        }
        guard let pem = FileManager.default.contents(atPath: folder.appendingPathComponent("device-key.pem").path)
        else { throw DeviceAgentError("\(folder.path) has no device-key.pem") }
        return Agent(
            folder: folder, device: device, model: try Model(try one("model.assert")),
            serial: try Serial(try one("serial.assert")),
            stateStore: stateStore ?? FileStateStore(path: folder.appendingPathComponent("state.json").path),
            key: try PrivateKey(importing: String(decoding: pem, as: UTF8.self)), storeURL: storeURL ?? device.store)
    }

    public func state() throws -> AgentState {
        try stateStore.load() ?? AgentState()
    }

    func file(_ name: String, _ revision: Int) -> URL {
        folder.appendingPathComponent("snaps/\(name)_\(revision).snap")
    }

    static func now() -> String {
        WireTime.string(Int64(Date().timeIntervalSince1970))
    }

    // MARK: First boot

    /// snapd's seeding: every snap of the image is checked against the seed's assertions (digest,
    /// size, snap-id, revision, name) before it counts as installed, at its seed revision and
    /// channel. Seeding happens once; a device that does not verify does not seed, and says why.
    @discardableResult
    public func boot() throws -> AgentState {
        var state = try state()
        guard !state.seeded else { return state }
        let database = try DeviceAssertions.open(folder.appendingPathComponent("assertions")).database
        let change = state.newChange(kind: "seed", summary: "Initialize system state", at: Self.now())
        do {
            for seeded in device.snaps {
                let path = folder.appendingPathComponent(seeded.file).path
                let snap = try SnapFile.open(path: path)
                guard let revision = database.find(AssertionReference(.snapRevision, [snap.sha3_384Base64URL]))
                else { throw DeviceAgentError("cannot verify snap \"\(seeded.name)\", no matching signatures found") }
                let snapID = revision.string("snap-id")
                try SnapCrossCheck.check(
                    file: snap, name: seeded.name, snapID: snapID, revision: seeded.revision, publisherID: nil,
                    in: database)
                state.put(
                    .init(
                        name: seeded.name, snapID: snapID, type: snap.metadata.type.rawValue,
                        version: snap.metadata.version, current: seeded.revision, sequence: [seeded.revision],
                        channel: Self.fullChannel(seeded.channel), epoch: snap.metadata.epoch,
                        refreshedAt: Self.now()))
                state.record(
                    change, .init(summary: "Mount snap \"\(seeded.name)\" (\(seeded.revision))", status: .done))
            }
        } catch {
            state.record(change, .init(summary: "Seed the image's snaps", status: .error, reason: "\(error)"))
            state.finish(change, .error, at: Self.now())
            try stateStore.save(state)
            throw error
        }
        state.seeded = true
        state.finish(change, .done, at: Self.now())
        try stateStore.save(state)
        return state
    }

    /// `stable` → `latest/stable`: snapd stores tracking channels in full form.
    static func fullChannel(_ text: String) -> String {
        (try? ChannelRequest.parse(text).channel(defaultTrack: "latest").name) ?? text
    }
}
