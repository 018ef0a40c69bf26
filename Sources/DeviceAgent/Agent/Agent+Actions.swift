import Foundation
import SnapFiles

/// What a device's owner does by hand, as with `snap revert`, `snap switch` and `snap refresh --hold`.
extension Agent {
    /// Makes a kept revision current again (the one before the current by default), and keeps
    /// refreshes from taking the reverted-from revision again, as snapd does.
    @discardableResult
    public func revert(_ name: String, to revision: Int? = nil) throws -> AgentState.InstalledSnap {
        var state = try boot()
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
        let file = try SnapFile.open(path: self.file(name, target).path)
        let change = state.newChange(
            kind: "revert-snap", summary: "Revert \"\(name)\" to revision \(target)", at: Self.now())
        let from = snap.current
        snap.blocked = Array(Set((snap.blocked ?? []) + [from])).sorted()
        snap.current = target
        snap.version = file.metadata.version
        snap.epoch = file.metadata.epoch
        snap.refreshedAt = Self.now()
        state.put(snap)
        state.record(
            change, .init(summary: "Make snap \"\(name)\" (\(target)) current, leaving \(from)", status: .done))
        state.finish(change, .done, at: Self.now())
        try stateStore.save(state)
        return snap
    }

    /// Follows another channel from the next refresh on (snapd's `snap switch --channel`).
    @discardableResult
    public func switchChannel(_ name: String, to channel: String) throws -> AgentState.InstalledSnap {
        var state = try boot()
        guard var snap = state.snap(named: name) else { throw DeviceAgentError("snap \"\(name)\" is not installed") }
        let full = Self.fullChannel(channel)
        let change = state.newChange(
            kind: "switch-snap-channel", summary: "Switch \"\(name)\" snap to \(full)", at: Self.now())
        snap.channel = full
        state.put(snap)
        state.record(change, .init(summary: "Switch \"\(name)\" from the channel it tracked to \(full)", status: .done))
        state.finish(change, .done, at: Self.now())
        try stateStore.save(state)
        return snap
    }

    /// Holds or releases snaps from refreshes of everything (snapd's `snap refresh --hold NAME`).
    public func hold(_ names: [String], _ held: Bool) throws {
        var state = try boot()
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
