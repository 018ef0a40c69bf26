import StoreProtocol

/// What one shard of a split run saw, beside its summary, so that `fleet merge` can tell what the
/// whole fleet did: when its devices changed revision (shares and the times to reach them are the
/// whole fleet's, not a sum of the shards'), the scenario's share and every-device-working checks,
/// and what the store this shard drove counted from before any shard's devices started until all
/// were done.
public struct ShardReport: Codable, Sendable {
    /// Devices per revision ("none": without the snap) from `seconds` after the scenario's start.
    public struct Change: Codable, Sendable, Equatable {
        public let seconds: Double
        public let devices: [String: Int]
    }

    /// An `expect: {revision, at-least, by}` step, to check again over the whole fleet.
    public struct ShareCheck: Codable, Sendable {
        public let step: Int
        public let seconds: Double
        public let revision: Int
        public let percent: Double
        public let by: Double?
    }

    /// An `expect: {every-device-working: true}` step: the devices of this shard that were not.
    public struct WorkingCheck: Codable, Sendable {
        public let step: Int
        public let notWorking: [String]
    }

    public let index: Int
    public let count: Int
    public let run: String
    /// The devices this shard simulated.
    public let devices: Int
    /// The store (replica) this shard drove.
    public let storeURL: String
    public let changes: [Change]
    public let shareChecks: [ShareCheck]
    public let workingChecks: [WorkingCheck]
    /// Seconds after the start when the run's last released revision was first released.
    public let targetSince: Double?
    /// Devices per revision per hour, as `fleet run --csv` writes it.
    public let series: String
    /// What that store counted over the whole run, every shard's devices that reached it.
    public let store: TrafficCounts?
}
