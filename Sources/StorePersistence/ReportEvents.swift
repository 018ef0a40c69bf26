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

/// What the store holds of one snap of a device, as a new report is compared with it.
struct HeldSnap: Sendable {
    let revision: Int
    let channel: String
    let refreshedDate: String?
    let reportedAt: Int64
    let pendingRevision: Int?
}

extension ReportEvents {
    /// How long a report that changes nothing goes unwritten: `reported_at` is a report's time to within this.
    static let unchangedReportInterval: Int64 = 60

    /// Whether `snaps` changes nothing the store holds for the device (`held`, by snap-id) but
    /// report times written less than `unchangedReportInterval` ago. A device polls with the same
    /// installed set, refresh after refresh: such a report then costs a read, not a write.
    static func changesNothing(_ snaps: [ReportedSnap], held: [String: HeldSnap], at time: Int64) -> Bool {
        // A snap no longer reported would be removed, and a repeated one is not a plain set.
        guard Set(snaps.map(\.snapID)).count == held.count, snaps.count == held.count else { return false }
        return snaps.allSatisfy { snap in
            guard let stored = held[snap.snapID] else { return false }
            let recent = (0..<unchangedReportInterval).contains(time - stored.reportedAt)
            // A pending download followed by this report is an update that took or failed: written.
            return recent && stored.pendingRevision == nil && stored.revision == snap.revision
                && stored.channel == snap.channel && stored.refreshedDate == snap.refreshedDate
        }
    }
}
