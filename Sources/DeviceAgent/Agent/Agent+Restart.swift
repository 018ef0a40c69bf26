import Foundation
import SnapFiles

/// What a power-on finds: a kernel or base on trial, and changes a power cut stopped halfway.
extension Agent {
    /// Whether a new revision of this snap must boot before it counts (snapd's try mode): the
    /// model's kernel and its boot base (`core` for a model without one). Classic models boot no
    /// snaps.
    func bootsOnTrial(_ snap: AgentState.InstalledSnap) -> Bool {
        guard !model.isClassic else { return false }
        switch snap.type {
        case "kernel": return snap.name == model.kernel?.name
        case "base", "os": return snap.name == (model.base?.name ?? "core")
        default: return false
        }
    }

    /// The boot loader's part, simulated as snapd's boot loader environment drives it
    /// (`boot/`: `kernel_status` `try` → `trying` → cleared by boot-ok). A revision marked `try`
    /// is booted once, marked `trying` first; one found `trying` at power-on never reached
    /// boot-ok, so the boot loader went back to the previous revision. A kernel boots when it
    /// holds what a boot loader loads (`kernel.img`, `kernel.efi` or `vmlinuz`); a base boots. A
    /// trial that boots goes on to `complete`; one that does not is undone.
    func resolveTrialBoots(_ state: inout AgentState) async throws {
        for snap in state.snaps {
            guard let trial = snap.boot,
                let change = state.changes.last(where: {
                    $0.status == .doing && $0.snap == snap.name && $0.revision == snap.current
                })
            else { continue }
            let previous = change.previous?.current ?? 0
            let step = "Boot \"\(snap.name)\" (\(snap.current)) on trial"
            if trial == .trying {
                try undo(
                    change.id, failed: step,
                    reason: "the trial boot of revision \(snap.current) stopped before boot-ok: the boot loader went "
                        + "back to revision \(previous)", state: &state)
                continue
            }
            var trying = snap
            trying.boot = .trying
            state.put(trying)
            try stateStore.save(state)
            if let missing = try missingBootFiles(trying) {
                try undo(
                    change.id, failed: step,
                    reason: "revision \(snap.current) of \"\(snap.name)\" did not boot (\(missing)): the boot "
                        + "loader went back to revision \(previous)", state: &state)
                continue
            }
            var booted = trying
            booted.boot = nil
            state.put(booted)
            state.record(change.id, .init(summary: step + ": boot-ok", status: .done))
            try stateStore.save(state)
            try? await complete(change.id, state: &state)
        }
    }

    /// Why a kernel revision would not boot, or nil when it would.
    private func missingBootFiles(_ snap: AgentState.InstalledSnap) throws -> String? {
        if simulatedBootFailures.contains(SnapAndRevision(snap: snap.name, revision: snap.current)) {
            return "a simulated boot failure"
        }
        guard snap.type == "kernel" else { return nil }
        let image = try SquashfsImage(path: storage.snapPath(file(snap.name, snap.current)))
        let loadable = ["kernel.img", "kernel.efi", "vmlinuz"]
        guard loadable.contains(where: { (try? image.inode(atPath: $0)) != nil }) else {
            return "it holds no \(loadable.joined(separator: ", ")) for the boot loader"
        }
        return nil
    }

    /// Changes a restart stopped: an install past its switch is finished, as snapd resumes a
    /// change's tasks; one before it is undone (a `.partial` stays, to be resumed). Files that no
    /// kept revision names are removed, so every snap has exactly its kept revisions on disk.
    func recoverInterruptedChanges(_ state: inout AgentState) async throws {
        for change in state.changes where change.status == .doing {
            guard let name = change.snap, let revision = change.revision else {
                state.record(
                    change.id, .init(summary: change.summary, status: .error, reason: "interrupted by a restart"))
                state.finish(change.id, .error, at: now())
                try stateStore.save(state)
                continue
            }
            let snap = state.snap(named: name)
            if snap?.current == revision {
                guard snap?.boot == nil else { continue }
                state.record(change.id, .init(summary: "Continue after a restart", status: .done))
                try? await complete(change.id, state: &state)
            } else {
                try undo(
                    change.id, failed: "Finish \"\(name)\" (\(revision)) before it was made current",
                    reason: "interrupted by a restart", state: &state)
            }
        }
        let kept = Set(state.snaps.flatMap { snap in snap.sequence.map { "\(snap.name)_\($0).snap" } })
        let pending = Set(
            state.changes.filter { $0.status == .doing }.compactMap { change in
                change.snap.flatMap { name in change.revision.map { "\(name)_\($0).snap" } }
            })
        for name in storage.snapFiles() where !kept.contains(name) && !pending.contains(name) && state.seeded {
            storage.removeSnap(name)
        }
    }
}
