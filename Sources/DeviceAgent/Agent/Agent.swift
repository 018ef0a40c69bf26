import Assertions
import Foundation
import NIOCore
import SnapFiles
import StoreProtocol

/// A device that updates itself from a store as snapd does: it seeds from its image, registers,
/// then refreshes its snaps — download, verify against its own trusted roots, install atomically,
/// keep `retain` revisions. One agent per device (a folder, or a simulated device's memory); its
/// state goes through `stateStore`.
public struct Agent: Sendable {
    public let storage: any DeviceStorage
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
    /// The device's clock: the wall clock, or a fleet's simulated one.
    public var clock: @Sendable () -> Date = { Date() }
    /// The serial the device proposes in its serial-request, as a gadget's `prepare-device` hook
    /// sets snapd's `registration.proposed-serial`; nil lets the vault choose.
    public var proposedSerial: String?
    /// Whether the device asks for deltas and applies them: as snapd, when xdelta3 runs here and
    /// `SNAPD_USE_DELTAS_EXPERIMENTAL` does not say false.
    public var acceptsDeltas = Agent.deltasByDefault
    /// Where the device's exchanges with the store are counted (a fleet's tally), if anywhere.
    public var tally: TrafficTally?
    /// The device key as PEM, parsed when the device signs (registration, a new session): a
    /// fleet's devices each hold its text rather than an OpenSSL key.
    let keyPEM: String
    let storeURL: String

    /// Opens a device folder that `factory flash` or `agent init` made; its state defaults to
    /// `state.json` there.
    public static func open(
        folder: URL, stateStore: (any AgentStateStore)? = nil, storeURL: String? = nil
    ) throws -> Agent {
        try open(
            storage: FileDeviceStorage(folder: folder),
            stateStore: stateStore ?? FileStateStore(path: folder.appendingPathComponent("state.json").path),
            storeURL: storeURL)
    }

    /// Opens a device from its storage.
    public static func open(storage: any DeviceStorage, stateStore: any AgentStateStore, storeURL: String? = nil)
        throws -> Agent
    {
        let device = try DeviceState.read(from: storage)
        guard let data = storage.read("assertions/model.assert"), let assertion = try AssertionStream.decode(data).first
        else { throw DeviceAgentError("\(storage.location) has no model.assert") }
        guard let pem = storage.read("device-key.pem") else {
            throw DeviceAgentError("\(storage.location) has no device-key.pem")
        }
        let keyPEM = String(decoding: pem, as: UTF8.self)
        // Checked at once, so a damaged key is found when the device starts, not when it signs.
        _ = try PrivateKey(importing: keyPEM)
        return Agent(
            storage: storage, device: device, model: try Model(assertion), stateStore: stateStore, keyPEM: keyPEM,
            storeURL: storeURL ?? device.store)
    }

    /// A device whose parts the caller holds already, as a fleet does for its simulated devices:
    /// the image's model and the device's key are not read back from its storage.
    public init(
        storage: any DeviceStorage, device: DeviceState, model: Model, stateStore: any AgentStateStore,
        keyPEM: String, storeURL: String
    ) {
        self.storage = storage
        self.device = device
        self.model = model
        self.stateStore = stateStore
        self.keyPEM = keyPEM
        self.storeURL = storeURL
    }

    /// snapd's choice (`store/store_download.go` `useDeltas`).
    public static let deltasByDefault: Bool = {
        // Go's strconv.ParseBool spellings of false; anything else leaves deltas on.
        let setting = ProcessInfo.processInfo.environment["SNAPD_USE_DELTAS_EXPERIMENTAL"] ?? ""
        let off = ["0", "f", "F", "false", "FALSE", "False"].contains(setting.trimmingCharacters(in: .whitespaces))
        return !off && XDelta3.isAvailable
    }()

    public func state() throws -> AgentState {
        try stateStore.load() ?? AgentState()
    }

    /// Whether the device holds its serial: read at every start, without decoding it.
    var isRegistered: Bool {
        storage.read("assertions/serial.assert") != nil
    }

    /// The device's serial, once it has registered.
    public func serial() throws -> Serial? {
        guard let data = storage.read("assertions/serial.assert") else { return nil }
        guard let assertion = try AssertionStream.decode(data).first(where: { $0.type == .serial }) else {
            throw DeviceAgentError("\(storage.location)'s serial.assert holds no serial assertion")
        }
        return try Serial(assertion)
    }

    func key() throws -> PrivateKey {
        try PrivateKey(importing: keyPEM)
    }

    /// Whether a snap's current revision is on the device, whole.
    public func hasCurrentFile(of snap: AgentState.InstalledSnap) -> Bool {
        storage.hasSnap(file(snap.name, snap.current))
    }

    /// The file a revision of a snap is installed as.
    func file(_ name: String, _ revision: Int) -> String {
        FileDeviceStorage.snapFile(name, revision)
    }

    func connection() -> StoreConnection {
        var connection = StoreConnection(
            baseURL: storeURL, architecture: model.architecture, storeID: model.store.isEmpty ? nil : model.store)
        connection.retry = retry
        connection.requestTimeout = requestTimeout
        connection.tally = tally
        return connection
    }

    /// Times the agent records, written as snapd writes them.
    func now() -> String {
        WireTime.utc(Int64(clock().timeIntervalSince1970))
    }

    // MARK: Power-on

    /// What a device does each time it powers on, in snapd's order: a kernel or base on trial
    /// boots or falls back, changes a power cut interrupted are finished or undone, the seed is
    /// installed on first boot, and a device without a serial registers. Registration failing
    /// leaves the device seeded and says why; it is tried again at the next start or refresh.
    @discardableResult
    public func boot() async throws -> AgentState {
        var state = try state()
        state.prune(now: Int64(clock().timeIntervalSince1970))
        try await resolveTrialBoots(&state)
        try await recoverInterruptedChanges(&state)
        if !state.seeded { try seed(&state) }
        if !isRegistered { try await register(&state) }
        return state
    }

    /// snapd's seeding: every snap of the image is checked against the seed's assertions (digest,
    /// size, snap-id, revision, name) before it counts as installed, at its seed revision and
    /// channel. A device that does not verify does not seed, and says why.
    func seed(_ state: inout AgentState) throws {
        let database = try DeviceAssertions.open(storage).database
        let change = state.newChange(kind: "seed", summary: "Initialize system state", at: now())
        do {
            for seeded in device.snaps {
                let snap = try storage.openSnap((seeded.file as NSString).lastPathComponent)
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
                        refreshedAt: now()))
                state.record(
                    change, .init(summary: "Mount snap \"\(seeded.name)\" (\(seeded.revision))", status: .done))
            }
        } catch {
            state.record(change, .init(summary: "Seed the image's snaps", status: .error, reason: "\(error)"))
            state.finish(change, .error, at: now())
            try stateStore.save(state)
            throw error
        }
        state.seeded = true
        state.finish(change, .done, at: now())
        try stateStore.save(state)
    }

    /// snapd's `become-operational` change: a serial from the store's vault for this device's key,
    /// verified against the device's roots, kept in `assertions/serial.assert`.
    func register(_ state: inout AgentState) async throws {
        let change = state.newChange(kind: "become-operational", summary: "Initialize device", at: now())
        let step = "Request device serial from \(storeURL)"
        do {
            let trust = try DeviceAssertions.open(storage).database
            let registration = SerialRegistration(
                connection: connection(), model: model, maximumRetryWait: registrationWait.maximum,
                giveUpAfter: registrationWait.giveUpAfter, proposedSerial: proposedSerial ?? state.proposedSerial,
                serviceHeaders: state.deviceServiceHeaders ?? [:])
            let (serial, stream) = try await registration.register(deviceKey: key(), trust: trust)
            try storage.replace("assertions/serial.assert", with: AssertionStream.encode(stream))
            _ = try device.registered(serial.serial, in: storage)
            state.record(change, .init(summary: step + ": serial \(serial.serial)", status: .done))
            state.finish(change, .done, at: now())
            try stateStore.save(state)
        } catch {
            state.record(change, .init(summary: step, status: .error, reason: "\(error)"))
            state.finish(change, .error, at: now())
            try stateStore.save(state)
            throw DeviceAgentError("the device could not register: \(error)")
        }
    }

    /// `stable` → `latest/stable`: snapd stores tracking channels in full form.
    static func fullChannel(_ text: String) -> String {
        (try? ChannelRequest.parse(text).channel(defaultTrack: "latest").name) ?? text
    }
}
