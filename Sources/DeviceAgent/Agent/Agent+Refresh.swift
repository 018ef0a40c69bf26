import Assertions
import Foundation
import SnapFiles
import StoreProtocol

extension Agent {
    /// What one refresh did: the snaps that moved, the ones that failed and why.
    public struct RefreshReport: Codable, Sendable, Equatable {
        public struct Moved: Codable, Sendable, Equatable {
            public let name: String
            public let from: Int
            public let to: Int
        }

        public struct Failed: Codable, Sendable, Equatable {
            public let name: String
            public let revision: Int
            public let reason: String
        }

        public var refreshed: [Moved] = []
        public var failed: [Failed] = []
    }

    /// snapd's refresh of the installed snaps (all, or `names`): one snap-action request with the
    /// whole installed set as its context, then for each offered revision a change of its own —
    /// download to a `.partial` (resumed with `Range` if one is there), SHA3-384, the assertion
    /// chain verified against the device's roots and cross-checked, then the switch of `current`,
    /// which is the state file's atomic replacement. A failure deletes what it downloaded, leaves
    /// the previous revision current and is recorded with its reason.
    public func refresh(names: [String] = [], scheduled: Bool = false) async throws -> RefreshReport {
        var state = try boot()
        let unknown = names.filter { state.snap(named: $0) == nil }
        guard unknown.isEmpty else { throw DeviceAgentError("not installed: \(unknown.joined(separator: ", "))") }
        var connection = StoreConnection(
            baseURL: storeURL, architecture: model.architecture, storeID: model.store.isEmpty ? nil : model.store)
        connection.deviceSession = try await DeviceSession.open(connection, key: key, serial: serial, model: model)
        // A refresh of everything leaves held snaps alone; naming one refreshes it all the same.
        let wanted =
            names.isEmpty ? state.snaps.filter { $0.held != true } : state.snaps.filter { names.contains($0.name) }
        let request = SnapActionRequest(
            context: state.snaps.map {
                .init(
                    snapID: $0.snapID, instanceKey: $0.snapID, revision: $0.current, trackingChannel: $0.channel,
                    epoch: $0.epoch, refreshedDate: $0.refreshedAt)
            },
            actions: wanted.map { .init(.refresh, instanceKey: $0.snapID, snapID: $0.snapID) },
            fields: Self.fields)
        var headers = Self.headers(model: model)
        if scheduled { headers["Snap-Refresh-Reason"] = "scheduled" }
        let answer: SnapActionResponse
        do {
            answer = try await connection.snapAction(request, headers: headers)
        } catch let error as DeviceAgentError where error == .sessionExpired {
            connection.deviceSession = try await DeviceSession.open(connection, key: key, serial: serial, model: model)
            answer = try await connection.snapAction(request, headers: headers)
        }
        state.lastRefresh = Self.now()
        try stateStore.save(state)
        var report = RefreshReport()
        // Opened (and verified) once for every revision of this refresh, not once per snap.
        var assertions = try DeviceAssertions.open(folder.appendingPathComponent("assertions"))
        for result in answer.results {
            guard let offered = result.snap, result.result == .refresh,
                let installed = state.snaps.first(where: { $0.snapID == offered.snapID }),
                offered.revision != installed.current, !(installed.blocked ?? []).contains(offered.revision)
            else { continue }
            do {
                try await install(
                    offered, over: installed, connection: connection, assertions: &assertions, state: &state)
                report.refreshed.append(.init(name: installed.name, from: installed.current, to: offered.revision))
            } catch {
                report.failed.append(.init(name: installed.name, revision: offered.revision, reason: "\(error)"))
            }
        }
        return report
    }

    /// One snap's refresh, in snapd's steps, recorded as one change.
    func install(
        _ offered: StoreSnap, over installed: AgentState.InstalledSnap, connection: StoreConnection,
        assertions: inout DeviceAssertions, state: inout AgentState
    ) async throws {
        let name = installed.name
        let change = state.newChange(
            kind: "refresh-snap", summary: "Refresh \"\(name)\" to revision \(offered.revision)", at: Self.now())
        try stateStore.save(state)
        let target = file(name, offered.revision)
        let partial = target.path + ".partial"
        var step = "Download snap \"\(name)\" (\(offered.revision)) from channel \"\(installed.channel)\""
        var mounted = false
        var switched = false
        do {
            let resumed = FileManager.default.fileExists(atPath: partial)
            var (snap, offset) = try await download(offered, to: partial, resume: true, connection: connection)
            if snap?.sha3_384Hex != offered.download.sha3_384, resumed {
                // As snapd: a resumed download that does not hash right is fetched once more, whole.
                (snap, offset) = try await download(offered, to: partial, resume: false, connection: connection)
            }
            if offset > 0 { step += ", resumed at byte \(offset)" }
            state.record(change, .init(summary: step, status: .done))
            step = "Fetch and check assertions for snap \"\(name)\" (\(offered.revision))"
            guard let snap, snap.sha3_384Hex == offered.download.sha3_384 else {
                throw DeviceAgentError(
                    "sha3-384 mismatch for \"\(name)\": got \(snap?.sha3_384Hex ?? "a file that is not a snap") but "
                        + "expected \(offered.download.sha3_384)")
            }
            let chain = try await AssertionFetcher(connection: connection).snapChain(
                digest: snap.sha3_384Base64URL, snapID: offered.snapID, trusting: assertions.database)
            try assertions.add(chain)
            try SnapCrossCheck.check(
                file: snap, name: name, snapID: offered.snapID, revision: offered.revision,
                publisherID: offered.publisher.id, in: assertions.database)
            state.record(change, .init(summary: step, status: .done))
            step = "Make snap \"\(name)\" (\(offered.revision)) available to the system"
            guard rename(partial, target.path) == 0 else {
                throw DeviceAgentError("cannot move \(partial) into place: errno \(errno)")
            }
            state.record(change, .init(summary: step, status: .done))
            mounted = true
            step = "Run pre-refresh hook of \"\(name)\" snap if present"
            if try await hooks.run(
                "pre-refresh", snapAt: file(name, installed.current).path, name: name, version: installed.version,
                revision: installed.current)
            {
                state.record(change, .init(summary: step, status: .done))
            }
            // The switch: the state file names the new revision current, or still the old one.
            step = "Make current revision for snap \"\(name)\" unavailable"
            var updated = installed
            updated.current = offered.revision
            updated.sequence = installed.sequence.filter { $0 != offered.revision } + [offered.revision]
            updated.version = snap.metadata.version
            updated.epoch = snap.metadata.epoch
            updated.refreshedAt = Self.now()
            state.put(updated)
            state.record(change, .init(summary: "Make snap \"\(name)\" (\(offered.revision)) current", status: .done))
            try stateStore.save(state)
            switched = true
            step = "Run post-refresh hook of \"\(name)\" snap if present"
            if try await hooks.run(
                "post-refresh", snapAt: target.path, name: name, version: snap.metadata.version,
                revision: offered.revision)
            {
                state.record(change, .init(summary: step, status: .done))
            }
            step = "Run health check of \"\(name)\" snap"
            if try await hooks.run(
                "check-health", snapAt: target.path, name: name, version: snap.metadata.version,
                revision: offered.revision)
            {
                state.record(change, .init(summary: step, status: .done))
            }
        } catch {
            // Undo in reverse, as snapd's undo handlers do: the previous revision current again,
            // the new one gone; snapd keeps no memory of it and will offer it again.
            try? FileManager.default.removeItem(atPath: partial)
            state.record(change, .init(summary: step, status: .error, reason: "\(error)"))
            if switched {
                state.put(installed)
                state.record(
                    change,
                    .init(summary: "Make snap \"\(name)\" (\(installed.current)) current again", status: .undone))
            }
            if mounted {
                try? FileManager.default.removeItem(at: target)
                state.record(
                    change,
                    .init(summary: "Remove snap \"\(name)\" (\(offered.revision)) from the system", status: .undone))
            }
            state.finish(change, mounted ? .undone : .error, at: Self.now())
            try stateStore.save(state)
            throw error
        }
        discardOldRevisions(of: name, change: change, state: &state)
        state.finish(change, .done, at: Self.now())
        try stateStore.save(state)
    }

    /// Downloads a revision into `partial` and opens it (nil when what arrived is not a snap at
    /// all), with the offset the store resumed from.
    func download(_ offered: StoreSnap, to partial: String, resume: Bool, connection: StoreConnection) async throws
        -> (SnapFile?, UInt64)
    {
        let offset = try await connection.download(
            offered.download.url, to: partial, expectedSize: offered.download.size, resume: resume,
            extraHeaders: ["Snap-Device-Capabilities": "default-tracks"])
        return (try? SnapFile.open(path: partial), offset)
    }

    /// Keeps the newest `retain` revisions of a snap, the current one always among them.
    func discardOldRevisions(of name: String, change: Int, state: inout AgentState) {
        guard var snap = state.snap(named: name), snap.sequence.count > retain else { return }
        let dropped = snap.sequence.filter { $0 != snap.current }.prefix(snap.sequence.count - retain)
        snap.sequence.removeAll { dropped.contains($0) }
        state.put(snap)
        for revision in dropped { try? FileManager.default.removeItem(at: file(name, revision)) }
        state.record(
            change,
            .init(
                summary:
                    "Discard old revisions of snap \"\(name)\": \(dropped.map(String.init).joined(separator: ", "))",
                status: .done))
    }

    /// The fields snapd asks for (`store/store_action.go` `snapActionFields`).
    static let fields = [
        "architectures", "base", "confinement", "contact", "created-at", "description", "download", "epoch",
        "license", "name", "prices", "private", "publisher", "revision", "snap-id", "snap-yaml", "summary", "title",
        "type", "version", "website", "store-url", "media", "common-ids",
    ]

    /// The headers snapd's store package sends with a snap action (`store/store.go` `newRequest`),
    /// with a User-Agent in snapd's format (`snapdenv/useragent.go`) naming this agent.
    static func headers(model: Model) -> [String: String] {
        var system = utsname()
        uname(&system)
        let kernel = withUnsafeBytes(of: system.release) { bytes in
            String(decoding: bytes.prefix { $0 != 0 }.prefix(25), as: UTF8.self)
        }
        let base = model.base?.name ?? "core"
        return [
            "Snap-Classic": model.isClassic ? "true" : "false", "Snap-Device-Series": "16",
            "Snap-Device-Capabilities": "default-tracks",
            "User-Agent":
                "snapdepot-agent/1 (series 16) ubuntu-core/\(base.dropFirst(4).isEmpty ? "16" : String(base.dropFirst(4))) "
                + "(\(model.architecture)) linux/\(kernel)",
        ]
    }
}
