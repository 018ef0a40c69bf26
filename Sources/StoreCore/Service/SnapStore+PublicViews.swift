import StoreProtocol

/// One line of the snaps anyone may browse.
public struct SnapSummary: Sendable, Equatable {
    public let name: String
    public let publisher: String
    public let type: String
    public let summary: String
    public let version: String
    public let revisions: Int
}

extension SnapStore {
    /// The public snaps (`isPublic`) whose name, publisher, type or summary contains `query`
    /// (case-insensitive; all of them for an empty query), by name.
    public func publicSnaps(matching query: String) async throws -> [SnapSummary] {
        let snaps = try await catalogue.allSnaps().filter(Self.isPublic)
        let dossiers = try await catalogue.dossiers(snapIDs: snaps.map(\.snapID))
        let needle = query.lowercased()
        return snaps.compactMap { snap -> SnapSummary? in
            guard let dossier = dossiers[snap.snapID] else { return nil }
            let newest = dossier.revisions.last
            let summary = SnapSummary(
                name: snap.name, publisher: dossier.publisher?.displayName ?? snap.publisherID,
                type: newest?.type ?? "app", summary: dossier.listing.summary ?? "", version: newest?.version ?? "",
                revisions: dossier.revisions.count)
            guard !needle.isEmpty else { return summary }
            let fields = [
                summary.name, summary.publisher, dossier.publisher?.username ?? "", summary.type, summary.summary,
            ]
            return fields.contains { $0.lowercased().contains(needle) } ? summary : nil
        }.sorted { $0.name < $1.name }
    }

    /// A public snap's dossier and release history; not found for any other, as if it did not exist.
    public func publicSnap(named name: String) async throws -> (dossier: SnapDossier, history: [ReleaseEvent]) {
        guard let dossier = try await catalogue.dossier(name: name, store: nil), Self.isPublic(dossier.snap) else {
            throw StoreError(.notFound, "snap \"\(name)\" is not registered")
        }
        return (dossier, try await catalogue.releaseHistory(snapID: dossier.snap.snapID))
    }

    /// Devices matching `filter`, `limit` of them from `offset`, newest seen first.
    public func inventory(_ filter: DeviceFilter, offset: Int, limit: Int) async throws -> InventoryPage {
        try await catalogue.devicePage(filter, offset: max(0, offset), limit: max(1, limit))
    }

    /// What a device last reported installed, by snap name (the snap-id for a snap the store lacks).
    public func reportedSnaps(of device: DeviceRecord) async throws -> [InstalledSnapRecord] {
        try await catalogue.installedSnaps(serialKey: device.serialKey)
    }

    /// The newest failed update a device reported or the store inferred, if any.
    public func lastFailure(of device: DeviceRecord) async throws -> DeviceSnapEvent? {
        try await catalogue.deviceEvents(serialKey: device.serialKey).last { $0.kind == .failed }
    }

    /// The snap-id of a public snap, to filter devices by what they run.
    public func publicSnapID(named name: String) async throws -> String? {
        guard let snap = try await catalogue.snap(name: name, store: nil), Self.isPublic(snap) else { return nil }
        return snap.snapID
    }

    /// The newest release events of public snaps, newest first, with the snap's name.
    public func latestPublicReleases(limit: Int) async throws -> [(snap: String, event: ReleaseEvent)] {
        let snaps = Dictionary(
            try await catalogue.allSnaps().filter(Self.isPublic).map { ($0.snapID, $0.name) },
            uniquingKeysWith: { first, _ in first })
        // Read past the limit: some events are of snaps nobody may browse.
        return try await catalogue.latestReleaseEvents(limit: limit * 4).compactMap { event in
            snaps[event.snapID].map { (snap: $0, event: event) }
        }.prefix(limit).map { $0 }
    }
}
