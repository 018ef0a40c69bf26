import Assertions
import Foundation
import SnapFiles
import StoreProtocol

/// The boundaries between the steps of an install, each reached once what the step did is on
/// disk: where a power cut can land.
public enum InstallStep: String, CaseIterable, Sendable {
    case downloaded, verified, mounted
    case preRefresh = "pre-refresh"
    case switched
    case postRefresh = "post-refresh"
    case checkedHealth = "check-health"
    case discarded
}

extension Agent {
    /// One snap's install (`previous` nil) or refresh, in snapd's steps, recorded as one change:
    /// download to a `.partial` (resumed with `Range` if one is there), SHA3-384, the assertion
    /// chain verified against the device's roots and cross-checked, the file put in place, the
    /// old revision's `pre-refresh` hook, the switch of `current` (the state file's atomic
    /// replacement), then `complete`. A kernel or the boot base stops after the switch, on trial
    /// until the next boot (`resolveTrialBoots`). A failure undoes what was done and leaves the
    /// previous revision current; the change records why. Returns the change's id.
    @discardableResult
    func install(
        _ offered: StoreSnap, name: String, channel: String, previous: AgentState.InstalledSnap?,
        connection: StoreConnection, assertions: inout DeviceAssertions, state: inout AgentState
    ) async throws -> Int {
        let change = state.newChange(
            kind: previous == nil ? "install-snap" : "refresh-snap",
            summary: "\(previous == nil ? "Install" : "Refresh") \"\(name)\" \(previous == nil ? "at" : "to") "
                + "revision \(offered.revision)",
            at: now(), snap: name, revision: offered.revision, previous: previous)
        try stateStore.save(state)
        let target = file(name, offered.revision)
        var step = "Download snap \"\(name)\" (\(offered.revision)) from channel \"\(channel)\""
        // A download cut by the network keeps its `.partial` for the next try, as snapd's does.
        var keepPartial = true
        do {
            var snap: SnapFile?
            if let previous, let delta = usableDelta(offered, from: previous) {
                do {
                    snap = try await storage.applyDelta(
                        delta.url, expectedSize: delta.size, from: file(name, previous.current), to: target,
                        headers: Self.downloadHeaders, connection: connection)
                    if snap?.sha3_384Hex == offered.download.sha3_384 {
                        step +=
                            " as a delta from revision \(delta.source) (\(delta.size) of \(offered.download.size) bytes)"
                    } else {
                        snap = nil
                        storage.removePartial(target)
                        step += ", whole: the delta from revision \(delta.source) did not make the revision's bytes"
                    }
                } catch {
                    // As snapd: any failure of a delta falls back to the whole snap.
                    step += ", whole: the delta from revision \(delta.source) failed (\(error))"
                }
            }
            if snap == nil {
                let resumed = storage.hasPartial(target)
                var offset: UInt64
                (snap, offset) = try await download(offered, to: target, resume: true, connection: connection)
                if snap?.sha3_384Hex != offered.download.sha3_384, resumed {
                    // As snapd: a resumed download that does not hash right is fetched once more, whole.
                    (snap, offset) = try await download(offered, to: target, resume: false, connection: connection)
                }
                if offset > 0 { step += ", resumed at byte \(offset)" }
            }
            keepPartial = false
            state.record(change, .init(summary: step, status: .done))
            afterStep?(.downloaded)
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
            // snapd checks the epoch again against the snap.yaml inside the file (`checkEpochs`).
            if let previous, !snap.metadata.epoch.canRead(previous.epoch) {
                throw DeviceAgentError(
                    Self.epochRefusal(name, offered.revision, snap.metadata.epoch, previous.epoch))
            }
            state.record(change, .init(summary: step, status: .done))
            afterStep?(.verified)
            step = "Make snap \"\(name)\" (\(offered.revision)) available to the system"
            try storage.promotePartial(target)
            state.record(change, .init(summary: step, status: .done))
            try stateStore.save(state)
            afterStep?(.mounted)
            if let previous {
                step = "Run pre-refresh hook of \"\(name)\" snap if present"
                if try await hooks.run(
                    "pre-refresh", snapAt: storage.snapPath(file(name, previous.current)), name: name,
                    version: previous.version,
                    revision: previous.current)
                {
                    state.record(change, .init(summary: step, status: .done))
                }
                afterStep?(.preRefresh)
            }
            step = "Make snap \"\(name)\" (\(offered.revision)) current"
            var updated =
                previous
                ?? AgentState.InstalledSnap(
                    name: name, snapID: offered.snapID, type: snap.metadata.type.rawValue, version: "",
                    current: offered.revision, sequence: [], channel: channel, epoch: snap.metadata.epoch,
                    refreshedAt: "")
            updated.current = offered.revision
            updated.sequence = updated.sequence.filter { $0 != offered.revision } + [offered.revision]
            updated.version = snap.metadata.version
            updated.epoch = snap.metadata.epoch
            updated.refreshedAt = now()
            let trial = bootsOnTrial(updated)
            updated.boot = trial ? .tryNext : nil
            state.put(updated)
            state.record(change, .init(summary: step, status: .done))
            if trial {
                state.record(
                    change,
                    .init(
                        summary: "Wait for a restart into \"\(name)\" (\(offered.revision)), on trial until it boots",
                        status: .doing))
            }
            try stateStore.save(state)
            afterStep?(.switched)
        } catch {
            if !keepPartial { storage.removePartial(target) }
            try undo(change, failed: step, reason: "\(error)", state: &state)
            throw error
        }
        if state.snap(named: name)?.boot == nil { try await complete(change, state: &state) }
        return change
    }

    /// What follows the switch: the new revision's `install` or `post-refresh` hook, its
    /// `check-health`, then old revisions beyond `retain` discarded. Run at once, after a trial
    /// boot, or after a restart that interrupted it (snapd resumes a change's tasks); a failure
    /// undoes the whole change.
    func complete(_ change: Int, state: inout AgentState) async throws {
        guard let record = state.change(change), let name = record.snap, let revision = record.revision,
            let snap = state.snap(named: name)
        else { return }
        let path = storage.snapPath(file(name, revision))
        let hook = record.previous == nil ? "install" : "post-refresh"
        var step = "Run \(hook) hook of \"\(name)\" snap if present"
        do {
            if try await hooks.run(hook, snapAt: path, name: name, version: snap.version, revision: revision) {
                state.record(change, .init(summary: step, status: .done))
            }
            afterStep?(.postRefresh)
            step = "Run health check of \"\(name)\" snap"
            if try await hooks.run("check-health", snapAt: path, name: name, version: snap.version, revision: revision)
            {
                state.record(change, .init(summary: step, status: .done))
            }
            afterStep?(.checkedHealth)
        } catch {
            try undo(change, failed: step, reason: "\(error)", state: &state)
            throw error
        }
        try discardOldRevisions(of: name, change: change, state: &state)
        afterStep?(.discarded)
        state.finish(change, .done, at: now())
        try stateStore.save(state)
    }

    /// Undoes a change in reverse, as snapd's undo handlers do: the snap as it was before (or no
    /// snap, for a first install) current again, saved, and only then the new revision's file
    /// removed. snapd keeps no memory of the failed revision and will take it again.
    func undo(_ change: Int, failed step: String, reason: String, state: inout AgentState) throws {
        guard let record = state.change(change), let name = record.snap, let revision = record.revision else { return }
        state.record(change, .init(summary: step, status: .error, reason: reason))
        let switched = state.snap(named: name)?.current == revision
        if switched {
            if let previous = record.previous {
                state.put(previous)
                state.record(
                    change,
                    .init(summary: "Make snap \"\(name)\" (\(previous.current)) current again", status: .undone))
                if bootsOnTrial(previous) {
                    state.record(
                        change,
                        .init(summary: "Restart into \"\(name)\" (\(previous.current)) again", status: .undone))
                }
            } else {
                state.remove(name)
                state.record(change, .init(summary: "Remove snap \"\(name)\" from the system", status: .undone))
            }
        }
        let target = file(name, revision)
        let kept = record.previous?.sequence.contains(revision) ?? false
        let mounted = !kept && storage.hasSnap(target)
        if mounted {
            state.record(
                change, .init(summary: "Remove snap \"\(name)\" (\(revision)) from the system", status: .undone))
        }
        state.record(
            change,
            .init(
                summary: "Revision \(revision) is not held against \"\(name)\": the next refresh tries it again, "
                    + "as snapd does", status: .done))
        state.finish(change, switched || mounted ? .undone : .error, at: now())
        try stateStore.save(state)
        if mounted { storage.removeSnap(target) }
    }

    /// Downloads a revision into the `.partial` of `file` and opens it (nil when what arrived is
    /// not a snap at all), with the offset the store resumed from.
    func download(_ offered: StoreSnap, to file: String, resume: Bool, connection: StoreConnection) async throws
        -> (SnapFile?, UInt64)
    {
        try await storage.download(
            offered.download.url, expectedSize: offered.download.size, to: file, resume: resume,
            headers: Self.downloadHeaders, connection: connection)
    }

    static let downloadHeaders = ["Snap-Device-Capabilities": "default-tracks"]

    /// The delta to apply instead of downloading the whole revision, as snapd takes one: when the
    /// device applies deltas, the store sent exactly one, in xdelta3, from the revision installed
    /// now, and that revision's file is here (`store/store_download.go`).
    func usableDelta(_ offered: StoreSnap, from previous: AgentState.InstalledSnap) -> StoreSnap.Delta? {
        guard acceptsDeltas, offered.download.deltas.count == 1, let delta = offered.download.deltas.first,
            delta.format == XDelta3.format, delta.source == previous.current, delta.target == offered.revision,
            storage.hasSnap(file(previous.name, previous.current))
        else { return nil }
        return delta
    }

    /// Keeps the newest `retain` revisions of a snap, the current one always among them. The
    /// state forgets them before their files go, so a cut between the two leaves stray files
    /// (removed at the next start), never a kept revision without its file.
    func discardOldRevisions(of name: String, change: Int, state: inout AgentState) throws {
        let retain = retain(state)
        guard var snap = state.snap(named: name), snap.sequence.count > retain else { return }
        let dropped = snap.sequence.filter { $0 != snap.current }.prefix(snap.sequence.count - retain)
        snap.sequence.removeAll { dropped.contains($0) }
        state.put(snap)
        state.record(
            change,
            .init(
                summary:
                    "Discard old revisions of snap \"\(name)\": \(dropped.map(String.init).joined(separator: ", "))",
                status: .done))
        try stateStore.save(state)
        for revision in dropped { storage.removeSnap(file(name, revision)) }
    }
}
