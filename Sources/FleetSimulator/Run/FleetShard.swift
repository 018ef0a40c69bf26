/// One slice of a fleet split across processes or machines (`fleet run --shard K/N --run NAME`):
/// shard K of N simulates the devices whose index is K-1 modulo N, with the same seed and scenario
/// as the others, so that together they are the fleet one process would have run. The shards of a
/// run meet at the store under the run's name (`ShardRendezvous`).
public struct FleetShard: Sendable, Codable, Equatable {
    /// From 1.
    public let index: Int
    public let count: Int
    /// The run's name, new for each run: the shards meet under it.
    public let run: String

    public init(index: Int, count: Int, run: String) throws {
        guard count >= 1, (1...count).contains(index) else {
            throw FleetError("a shard is K/N with 1 ≤ K ≤ N, not \(index)/\(count)")
        }
        self.index = index
        self.count = count
        self.run = run
    }

    /// Reads `K/N`.
    public init(parsing text: String, run: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]) else {
            throw FleetError("a shard is K/N, like 2/4, not \"\(text)\"")
        }
        try self.init(index: index, count: count, run: run)
    }

    /// Whether the device with this index (from 0) is simulated here.
    public func holds(device index: Int) -> Bool {
        index % count == self.index - 1
    }

    /// How many of a fleet's devices are simulated here.
    public func devices(of fleet: Int) -> Int {
        fleet / count + (self.index - 1 < fleet % count ? 1 : 0)
    }

    /// The first shard applies the scenario's store steps for all of them.
    public var isConductor: Bool { index == 1 }
}
