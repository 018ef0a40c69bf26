import Foundation
import SnapFiles
import StoreProtocol

/// What a device's owner does by hand, as with `snap install`, `snap remove`, `snap revert`,
/// `snap switch` and `snap refresh --hold`.
extension Agent {
    /// Installs a snap from the store (snapd's `snap install NAME --channel`): an `install`
    /// action with the installed set as context, then the same verified steps as a refresh, its
    /// `install` hook instead of the refresh hooks. The store's refusal comes back in its words.
    @discardableResult
    public func install(_ name: String, channel: String = "stable") async throws -> AgentState.InstalledSnap {
        var state = try await boot()
        guard state.snap(named: name) == nil else { throw DeviceAgentError("snap \"\(name)\" is already installed") }
        var assertions = try DeviceAssertions.open(storage)
        // The enforced sets go with the action: the store answers the revision they require, or
        // refuses a snap they make invalid.
        let sets = (state.validationSets ?? []).map(\.key)
        let (connection, answer) = try await snapAction(
            [
                .init(
                    .install, instanceKey: "install-1", name: name, channel: channel,
                    validationSets: sets.isEmpty ? nil : sets)
            ], state: &state)
        guard let result = answer.results.first(where: { $0.instanceKey == "install-1" }) else {
            throw DeviceAgentError("the store answered no result for \"\(name)\"")
        }
        guard let offered = result.snap, result.result == .install else {
            throw DeviceAgentError(result.error.map { "cannot install \"\(name)\": \($0.message)" } ?? "no revision")
        }
        if let set = try validationRules(state, in: assertions.database)[offered.snapID]?.invalidIn {
            throw DeviceAgentError("cannot install \"\(name)\": it is invalid in validation set \(set.label)")
        }
        try await install(
            offered, name: name, channel: Self.fullChannel(channel), previous: nil, connection: connection,
            assertions: &assertions, state: &state)
        guard let installed = state.snap(named: name) else { throw DeviceAgentError("\"\(name)\" was not installed") }
        return installed
    }

    /// Removes a snap and every kept revision (snapd's `snap remove`), running its `remove` hook
    /// first. The model's own snaps cannot be removed, as snapd refuses.
    public func remove(_ name: String) async throws {
        var state = try await boot()
        guard let snap = state.snap(named: name) else { throw DeviceAgentError("snap \"\(name)\" is not installed") }
        let required =
            [model.kernel, model.gadget, model.base, model.snapd].compactMap { $0?.name }
            + model.otherSnaps.filter { $0.presence != "optional" }.map(\.name)
        guard !required.contains(name), !bootsOnTrial(snap) else {
            throw DeviceAgentError("snap \"\(name)\" is not removable: the model requires it")
        }
        let database = try DeviceAssertions.open(storage).database
        if let set = try validationRules(state, in: database)[snap.snapID]?.requiredBy {
            throw DeviceAgentError("snap \"\(name)\" is not removable: validation set \(set.label) requires it")
        }
        let change = state.newChange(kind: "remove-snap", summary: "Remove \"\(name)\" snap", at: now())
        do {
            if try await hooks.run(
                "remove", snapAt: storage.snapPath(file(name, snap.current)), name: name, version: snap.version,
                revision: snap.current)
            {
                state.record(change, .init(summary: "Run remove hook of \"\(name)\" snap if present", status: .done))
            }
        } catch {
            state.record(change, .init(summary: "Run remove hook", status: .error, reason: "\(error)"))
            state.finish(change, .error, at: now())
            try stateStore.save(state)
            throw error
        }
        state.remove(name)
        state.record(
            change,
            .init(
                summary: "Remove snap \"\(name)\" (\(snap.sequence.map(String.init).joined(separator: ", ")))",
                status: .done))
        state.finish(change, .done, at: now())
        try stateStore.save(state)
        for revision in snap.sequence { storage.removeSnap(file(name, revision)) }
    }

    /// Makes a kept revision current again (the one before the current by default), and keeps
    /// refreshes from taking the reverted-from revision again, as snapd does.
    @discardableResult
    public func revert(_ name: String, to revision: Int? = nil) async throws -> AgentState.InstalledSnap {
        var state = try await boot()
        guard var snap = state.snap(named: name) else { throw DeviceAgentError("snap \"\(name)\" is not installed") }
        let earlier = snap.sequence.filter { $0 != snap.current }
        guard let target = revision ?? earlier.last(where: { $0 < snap.current }) ?? earlier.last else {
            throw DeviceAgentError("no revision to revert to for \"\(name)\": only \(snap.current) is kept")
        }
        guard target != snap.current, snap.sequence.contains(target) else {
            throw DeviceAgentError(
                "revision \(target) of \"\(name)\" is not kept here (kept: "
                    + "\(snap.sequence.map(String.init).joined(separator: ", ")))")
        }
        let file = try storage.openSnap(self.file(name, target))
        let change = state.newChange(
            kind: "revert-snap", summary: "Revert \"\(name)\" to revision \(target)", at: now())
        let from = snap.current
        snap.blocked = Array(Set((snap.blocked ?? []) + [from])).sorted()
        snap.current = target
        snap.version = file.metadata.version
        snap.epoch = file.metadata.epoch
        snap.refreshedAt = now()
        state.put(snap)
        state.record(
            change, .init(summary: "Make snap \"\(name)\" (\(target)) current, leaving \(from)", status: .done))
        state.finish(change, .done, at: now())
        try stateStore.save(state)
        return snap
    }

    /// Follows another channel from the next refresh on (snapd's `snap switch --channel`).
    @discardableResult
    public func switchChannel(_ name: String, to channel: String) async throws -> AgentState.InstalledSnap {
        var state = try await boot()
        guard var snap = state.snap(named: name) else { throw DeviceAgentError("snap \"\(name)\" is not installed") }
        let full = Self.fullChannel(channel)
        let change = state.newChange(
            kind: "switch-snap-channel", summary: "Switch \"\(name)\" snap to \(full)", at: now())
        snap.channel = full
        state.put(snap)
        state.record(change, .init(summary: "Switch \"\(name)\" from the channel it tracked to \(full)", status: .done))
        state.finish(change, .done, at: now())
        try stateStore.save(state)
        return snap
    }

    /// Holds or releases snaps from refreshes of everything (snapd's `snap refresh --hold NAME`).
    public func hold(_ names: [String], _ held: Bool) async throws {
        var state = try await boot()
        for name in names {
            guard var snap = state.snap(named: name) else {
                throw DeviceAgentError("snap \"\(name)\" is not installed")
            }
            snap.held = held ? true : nil
            state.put(snap)
        }
        try stateStore.save(state)
    }
}
