import Assertions
import Foundation
import NIOCore
import SnapFiles
import StoreProtocol

/// A device that updates itself from a store as snapd does: it seeds from its image, registers,
/// then refreshes its snaps — download, verify against its own trusted roots, install atomically,
/// keep `retain` revisions. One agent per device folder; its state goes through `stateStore`.
public struct Agent: Sendable {
    public let folder: URL
    public let device: DeviceState
    public let model: Model
    public let stateStore: any AgentStateStore
    /// Whether the device's connection is metered (snapd asks NetworkManager); with
    /// `refresh.metered=hold`, scheduled refreshes wait for another connection.
    public var meteredConnection = false
    /// Runs the snaps' `install`, `pre-refresh`, `post-refresh`, `check-health` and `remove` hooks.
    public var hooks = HookRunner()
    /// Kernel or base revisions whose trial boot fails whatever they hold, as a simulated device
    /// decides it beforehand (`missingBootFiles` decides for real files otherwise).
    public var simulatedBootFailures: Set<SnapAndRevision> = []
    /// Called at each step boundary of an install, after what the step did is on disk: where a
    /// rehearsal cuts the power (`agent refresh --power-cut-after STEP`).
    public var afterStep: (@Sendable (InstallStep) -> Void)?
    /// Registration at first boot: longest wait between two tries while the vault answers 202,
    /// and how long to keep coming back.
    public var registrationWait = (maximum: 60, giveUpAfter: 600)
    /// How each store request is tried again and how long it may take: snapd's by default.
    public var retry = StoreConnection.RetryStrategy.snapd
    public var requestTimeout: TimeAmount = .seconds(10)
    let key: PrivateKey
    let storeURL: String

    /// Opens a device folder that `factory flash` or `agent init` made; its state defaults to
    /// `state.json` there.
    public static func open(
        folder: URL, stateStore: (any AgentStateStore)? = nil, storeURL: String? = nil
    ) throws -> Agent {
        let device = try DeviceState.read(from: folder)
        guard
            let data = FileManager.default.contents(
                atPath: folder.appendingPathComponent("assertions/model.assert").path),
            let assertion = try AssertionStream.decode(Array(data)).first
        else { throw DeviceAgentError("\(folder.path) has no model.assert") }
        guard let pem = FileManager.default.contents(atPath: folder.appendingPathComponent("device-key.pem").path)
        else { throw DeviceAgentError("\(folder.path) has no device-key.pem") }
        return Agent(
            folder: folder, device: device, model: try Model(assertion),
            stateStore: stateStore ?? FileStateStore(path: folder.appendingPathComponent("state.json").path),
            key: try PrivateKey(importing: String(decoding: pem, as: UTF8.self)), storeURL: storeURL ?? device.store)
    }

    public func state() throws -> AgentState {
        try stateStore.load() ?? AgentState()
    }

    /// The device's serial, once it has registered.
    public func serial() throws -> Serial? {
        let path = folder.appendingPathComponent("assertions/serial.assert").path
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        guard let assertion = try AssertionStream.decode(Array(data)).first(where: { $0.type == .serial }) else {
            throw DeviceAgentError("\(path) holds no serial assertion")
        }
        return try Serial(assertion)
    }

    func file(_ name: String, _ revision: Int) -> URL {
        folder.appendingPathComponent("snaps/\(name)_\(revision).snap")
    }

    func connection() -> StoreConnection {
        var connection = StoreConnection(
            baseURL: storeURL, architecture: model.architecture, storeID: model.store.isEmpty ? nil : model.store)
        connection.retry = retry
        connection.requestTimeout = requestTimeout
        return connection
    }

    /// Times the agent records, written as snapd writes them.
    static func now() -> String {
        WireTime.utc(Int64(Date().timeIntervalSince1970))
    }

    // MARK: Power-on

    /// What a device does each time it powers on, in snapd's order: a kernel or base on trial
    /// boots or falls back, changes a power cut interrupted are finished or undone, the seed is
    /// installed on first boot, and a device without a serial registers. Registration failing
    /// leaves the device seeded and says why; it is tried again at the next start or refresh.
    @discardableResult
    public func boot() async throws -> AgentState {
        var state = try state()
        try await resolveTrialBoots(&state)
        try await recoverInterruptedChanges(&state)
        if !state.seeded { try seed(&state) }
        if try serial() == nil { try await register(&state) }
        return state
    }

    /// snapd's seeding: every snap of the image is checked against the seed's assertions (digest,
    /// size, snap-id, revision, name) before it counts as installed, at its seed revision and
    /// channel. A device that does not verify does not seed, and says why.
    func seed(_ state: inout AgentState) throws {
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
    }

    /// snapd's `become-operational` change: a serial from the store's vault for this device's key,
    /// verified against the device's roots, kept in `assertions/serial.assert`.
    func register(_ state: inout AgentState) async throws {
        let change = state.newChange(kind: "become-operational", summary: "Initialize device", at: Self.now())
        let step = "Request device serial from \(storeURL)"
        do {
            let trust = try DeviceAssertions.open(folder.appendingPathComponent("assertions")).database
            let registration = SerialRegistration(
                connection: connection(), model: model, maximumRetryWait: registrationWait.maximum,
                giveUpAfter: registrationWait.giveUpAfter)
            let (serial, stream) = try await registration.register(deviceKey: key, trust: trust)
            try AtomicFile.write(
                AssertionStream.encode(stream), to: folder.appendingPathComponent("assertions/serial.assert").path)
            _ = try device.registered(serial.serial, in: folder)
            state.record(change, .init(summary: step + ": serial \(serial.serial)", status: .done))
            state.finish(change, .done, at: Self.now())
            try stateStore.save(state)
        } catch {
            state.record(change, .init(summary: step, status: .error, reason: "\(error)"))
            state.finish(change, .error, at: Self.now())
            try stateStore.save(state)
            throw DeviceAgentError("the device could not register: \(error)")
        }
    }

    /// `stable` → `latest/stable`: snapd stores tracking channels in full form.
    static func fullChannel(_ text: String) -> String {
        (try? ChannelRequest.parse(text).channel(defaultTrack: "latest").name) ?? text
    }
}
