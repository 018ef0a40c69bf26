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
    /// whole installed set as its context, then for each offered revision a change of its own
    /// (see `install`). A kernel or base that moved is tried at once by a simulated restart, as
    /// Ubuntu Core reboots into it; one that does not boot is reported failed, the device back on
    /// its previous revision.
    public func refresh(names: [String] = [], scheduled: Bool = false, cohort: CohortChange? = nil) async throws
        -> RefreshReport
    {
        if let cohort { try await switchCohort(of: names, cohort) }
        var report = try await refresh(names: names, scheduled: scheduled, rerefresh: false)
        // snapd's check-rerefresh: the snaps that moved are asked about once more, so a revision
        // that needed an epoch bump first is reached in the same refresh.
        let moved = report.refreshed.map(\.name)
        guard !moved.isEmpty else { return report }
        let again = try await refresh(names: moved, scheduled: scheduled, rerefresh: true)
        report.refreshed += again.refreshed
        report.failed += again.failed
        return report
    }

    /// `snap refresh --cohort=KEY|+` and `--leave-cohort`: which cohort the named snaps refresh in.
    public enum CohortChange: Sendable, Equatable {
        /// A key from the store; `+` asks the store for a new one.
        case join(String)
        case leave
    }

    /// Moves the named snaps into a cohort or out of it before they refresh, as snapd's switch
    /// does: kept even when no newer revision comes, so the next refreshes stay in it.
    func switchCohort(of names: [String], _ change: CohortChange) async throws {
        guard !names.isEmpty else { throw DeviceAgentError("name the snaps that join or leave a cohort") }
        var state = try await boot()
        let unknown = names.filter { state.snap(named: $0) == nil }
        guard unknown.isEmpty else { throw DeviceAgentError("not installed: \(unknown.joined(separator: ", "))") }
        var keys: [String: String] = [:]
        switch change {
        case .join(let key) where key == "+":
            keys = try await connection().createCohorts(names)
        case .join(let key):
            keys = Dictionary(uniqueKeysWithValues: names.map { ($0, key) })
        case .leave:
            break
        }
        for index in state.snaps.indices where names.contains(state.snaps[index].name) {
            state.snaps[index].cohortKey = keys[state.snaps[index].name]
        }
        try stateStore.save(state)
    }

    func refresh(names: [String], scheduled: Bool, rerefresh: Bool) async throws -> RefreshReport {
        var state = try await boot()
        let unknown = names.filter { state.snap(named: $0) == nil }
        guard unknown.isEmpty else { throw DeviceAgentError("not installed: \(unknown.joined(separator: ", "))") }
        // A refresh of everything leaves held snaps alone; naming one refreshes it all the same.
        let wanted =
            names.isEmpty ? state.snaps.filter { $0.held != true } : state.snaps.filter { names.contains($0.name) }
        // Opened (and verified) once for every revision of this refresh, not once per snap.
        var assertions = try DeviceAssertions.open(storage)
        let connection: StoreConnection
        let answer: SnapActionResponse
        do {
            if !rerefresh {
                try await refreshDeclarations(&state, assertions: &assertions)
                try await refreshValidationSets(&state, assertions: &assertions)
            }
            // snapd's refresh candidates under enforced validation sets: a snap at the revision a
            // set requires is left out; one that is not asks for that revision by the set's key.
            let rules = try validationRules(state, in: assertions.database)
            let actions = wanted.compactMap { snap -> SnapActionRequest.Action? in
                guard let required = rules[snap.snapID]?.required else {
                    return .init(.refresh, instanceKey: snap.snapID, snapID: snap.snapID)
                }
                guard required.revision != snap.current else { return nil }
                return .init(
                    .refresh, instanceKey: snap.snapID, snapID: snap.snapID, revision: required.revision,
                    validationSets: [required.set.key])
            }
            (connection, answer) = try await snapAction(actions, state: &state, scheduled: scheduled)
        } catch {
            // Nothing was installed; the change says why the store could not be asked.
            let change = state.newChange(
                kind: scheduled ? "auto-refresh" : "refresh",
                summary: scheduled ? "Auto-refresh snaps" : "Refresh snaps", at: now())
            state.record(
                change, .init(summary: "Ask the store for newer revisions", status: .error, reason: "\(error)"))
            state.finish(change, .error, at: now())
            try stateStore.save(state)
            throw error
        }
        // As snapd's `last-refresh`: moved by the schedule's attempts, not by a refresh by hand.
        if scheduled {
            state.lastRefresh = now()
            try stateStore.save(state)
        }
        var report = RefreshReport()
        var trials: [(change: Int, moved: RefreshReport.Moved)] = []
        let firstChange = state.nextChangeID
        for result in answer.results {
            // A named snap the store refused (an invalid cohort key, a revision that is not there)
            // is a failure, as snapd's SnapActionError; "no newer revision" is simply up to date.
            if result.result == .error, let failure = result.error, failure.code != "revision-not-found",
                let installed = state.snaps.first(where: { $0.snapID == result.snapID }), names.contains(installed.name)
            {
                report.failed.append(.init(name: installed.name, revision: installed.current, reason: failure.message))
                continue
            }
            guard let offered = result.snap, result.result == .refresh,
                let installed = state.snaps.first(where: { $0.snapID == offered.snapID }),
                offered.revision != installed.current, !(installed.blocked ?? []).contains(offered.revision)
            else { continue }
            // snapd's early epoch check: a revision that cannot read the installed data is not
            // taken; a refresh of everything passes over it, a named one says why.
            guard offered.epoch.canRead(installed.epoch) else {
                if names.contains(installed.name) {
                    report.failed.append(
                        .init(
                            name: installed.name, revision: offered.revision,
                            reason: Self.epochRefusal(installed.name, offered.revision, offered.epoch, installed.epoch))
                    )
                }
                continue
            }
            let moved = RefreshReport.Moved(name: installed.name, from: installed.current, to: offered.revision)
            do {
                let change = try await install(
                    offered, name: installed.name, channel: installed.channel, previous: installed,
                    connection: connection, assertions: &assertions, state: &state)
                if state.change(change)?.status == .doing {
                    trials.append((change, moved))
                } else {
                    report.refreshed.append(moved)
                }
            } catch {
                report.failed.append(.init(name: installed.name, revision: offered.revision, reason: "\(error)"))
            }
        }
        guard !trials.isEmpty else {
            await reportAttempts(since: firstChange, in: state, connection: connection)
            return report
        }
        state = try await boot()
        for (change, moved) in trials {
            if state.change(change)?.status == .done {
                report.refreshed.append(moved)
            } else {
                let reason = state.change(change)?.tasks.last { $0.status == .error }?.reason ?? "it did not boot"
                report.failed.append(.init(name: moved.name, revision: moved.to, reason: reason))
            }
        }
        await reportAttempts(since: firstChange, in: state, connection: connection)
        return report
    }

    /// snapdepot's attempt reports: how each install of this refresh ended, and why one failed.
    /// A store that does not take them (snapd's own does not have the endpoint) changes nothing.
    func reportAttempts(since firstChange: Int, in state: AgentState, connection: StoreConnection) async {
        var connection = connection
        connection.retry = .once
        for change in state.changes where change.id >= firstChange && change.status != .doing {
            guard let name = change.snap, let revision = change.revision,
                let snapID = state.snap(named: name)?.snapID ?? change.previous?.snapID
            else { continue }
            let failed = change.tasks.last { $0.status == .error }
            let result: AttemptReport.Result =
                change.status == .done ? .done : change.status == .undone ? .undone : .error
            try? await connection.reportAttempt(
                AttemptReport(
                    snapID: snapID, revision: revision, result: result, step: failed?.summary, reason: failed?.reason))
        }
    }

    /// snapd's `bulkRefreshSnapDeclarations` before a refresh: one request of `fetch-assertions`
    /// actions, a group per installed snap, for declarations newer than those held; what the
    /// store names is fetched, verified and kept, with any new signing key it needs.
    func refreshDeclarations(_ state: inout AgentState, assertions: inout DeviceAssertions) async throws {
        guard !state.snaps.isEmpty else { return }
        let actions = state.snaps.enumerated().map { index, snap in
            SnapActionRequest.Action(
                .fetchAssertions, key: String(index),
                assertions: [
                    .init(
                        type: "snap-declaration", primaryKey: ["16", snap.snapID],
                        ifNewerThan: assertions.database.find(
                            AssertionReference(.snapDeclaration, ["16", snap.snapID]))?.revision)
                ])
        }
        let (connection, answer) = try await send(
            SnapActionRequest(
                context: [], actions: actions, fields: SnapActionRequest.snapdFields,
                assertionMaxFormats: ["snap-declaration": 5, "system-user": 1]),
            headers: Self.headers(model: model), state: &state)
        let fetcher = AssertionFetcher(connection: connection)
        for url in answer.results.flatMap({ $0.assertionStreamURLs ?? [] }) {
            for assertion in try await connection.assertions(at: url) {
                let signer = try await fetcher.chain(
                    AssertionReference(.accountKey, [assertion.string("sign-key-sha3-384")]),
                    trusting: assertions.database)
                try assertions.add(signer + [assertion])
            }
        }
    }

    /// One snap-action request with the device's whole installed set as its context.
    func snapAction(_ actions: [SnapActionRequest.Action], state: inout AgentState, scheduled: Bool = false)
        async throws -> (StoreConnection, SnapActionResponse)
    {
        let request = SnapActionRequest(
            context: state.snaps.map {
                .init(
                    snapID: $0.snapID, instanceKey: $0.snapID, revision: $0.current, trackingChannel: $0.channel,
                    epoch: $0.epoch, refreshedDate: $0.refreshedAt, cohortKey: $0.cohortKey)
            },
            actions: actions, fields: SnapActionRequest.snapdFields)
        var headers = Self.headers(model: model)
        if scheduled { headers["Snap-Refresh-Reason"] = "scheduled" }
        return try await send(request, headers: headers, state: &state)
    }

    /// Sends a snap action through the device session snapd keeps in its state: opened when there
    /// is none, opened again once when the store says it expired.
    func send(_ request: SnapActionRequest, headers: [String: String], state: inout AgentState) async throws
        -> (StoreConnection, SnapActionResponse)
    {
        guard isRegistered else {
            throw DeviceAgentError("the device has no serial yet: it registers when it boots (`agent boot`)")
        }
        var connection = connection()
        func renew(_ state: inout AgentState) async throws {
            guard let serial = try serial() else { throw DeviceAgentError("the device's serial is gone") }
            state.deviceSession = try await DeviceSession.open(connection, key: key(), serial: serial, model: model)
            connection.deviceSession = state.deviceSession
            try stateStore.save(state)
        }
        connection.deviceSession = state.deviceSession
        if state.deviceSession == nil { try await renew(&state) }
        var headers = headers
        if acceptsDeltas { headers["Snap-Accept-Delta-Format"] = XDelta3.format }
        do {
            return (connection, try await connection.snapAction(request, headers: headers))
        } catch let error as DeviceAgentError where error == .sessionExpired {
            try await renew(&state)
            return (connection, try await connection.snapAction(request, headers: headers))
        }
    }

    /// snapd's words for a revision whose epoch cannot read the installed one.
    static func epochRefusal(_ name: String, _ revision: Int, _ new: Epoch, _ current: Epoch) -> String {
        "cannot refresh \"\(name)\" to new revision \(revision) with epoch \(new), because it can't read the "
            + "current epoch of \(current)"
    }

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
