/// The store at a glance, as `/metrics` (and a dashboard's overview) shows it: how many snaps and
/// devices, which revisions devices run, every rollout under way, every fault in force.
public struct StoreCensus: Sendable {
    public struct Installed: Sendable, Equatable {
        public let snap: String
        public let revision: Int
        public let devices: Int
    }

    public struct Rollout: Sendable, Equatable {
        public let snap: String
        public let view: SnapStore.RolloutView
    }

    public let snaps: Int
    public let devices: [DeviceCount]
    public let installed: [Installed]
    public let rollouts: [Rollout]
    public let faults: [Fault]
}

extension SnapStore {
    /// A snap anyone may look at: neither private nor in a brand store.
    static func isPublic(_ snap: SnapRecord) -> Bool {
        !snap.isPrivate && snap.store == nil
    }
}

extension SnapStore {
    /// The census: one read of each table, the snaps' channel maps from the dossier cache. The
    /// admin's counts every snap; anyone else's (a dashboard viewer who has not signed in) only
    /// the public snaps of the store's own catalogue, as `publicSnaps` lists them.
    public func census(by principal: Principal?) async throws -> StoreCensus {
        let snaps = try await catalogue.allSnaps().filter { principal?.isAdmin == true || Self.isPublic($0) }
        let names = Dictionary(snaps.map { ($0.snapID, $0.name) }, uniquingKeysWith: { first, _ in first })
        let dossiers = try await catalogue.dossiers(snapIDs: snaps.map(\.snapID))
        var rollouts: [StoreCensus.Rollout] = []
        for snap in snaps where !(dossiers[snap.snapID]?.channelMap.rollouts.isEmpty ?? true) {
            for view in try await self.rollouts(name: snap.name, store: snap.store) {
                rollouts.append(.init(snap: snap.name, view: view))
            }
        }
        return StoreCensus(
            snaps: snaps.count, devices: try await catalogue.deviceCounts(),
            installed: try await catalogue.installedCounts().compactMap {
                guard let name = names[$0.snapID] else { return nil }
                return .init(snap: name, revision: $0.revision, devices: $0.count)
            }, rollouts: rollouts, faults: try await catalogue.faults())
    }
}
