import StoreCore

/// What a device's report of one snap tells the store, given what the store held for that device
/// and snap: both catalogues record exactly these events.
enum ReportEvents {
    struct Implied: Equatable {
        let revision: Int
        let kind: DeviceSnapEvent.Kind
        let detail: String?
    }

    /// A first report; a revision downloaded but another one reported (the update failed); a newer
    /// or an older revision than before.
    static func implied(by snap: ReportedSnap, heldRevision: Int?, pendingRevision: Int?) -> [Implied] {
        guard let previous = heldRevision else {
            return [Implied(revision: snap.revision, kind: .reported, detail: nil)]
        }
        var events: [Implied] = []
        if let pending = pendingRevision, pending != snap.revision {
            events.append(
                Implied(
                    revision: pending, kind: .failed,
                    detail: "downloaded revision \(pending), then reported revision \(snap.revision)"))
        }
        if snap.revision > previous {
            events.append(Implied(revision: snap.revision, kind: .refreshed, detail: "from \(previous)"))
        }
        if snap.revision < previous {
            events.append(Implied(revision: snap.revision, kind: .reverted, detail: "from \(previous)"))
        }
        return events
    }
}
