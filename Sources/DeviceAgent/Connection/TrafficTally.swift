import StoreProtocol
import Synchronization

/// A count of what devices sent a store and what came back, shared by the connections of many
/// devices (a fleet), to be checked against the store's own counters.
public final class TrafficTally: Sendable {
    private let counts = Mutex(TrafficCounts())

    public init() {}

    func count(method: String, path: String, status: Int, bodyBytes: Int) {
        counts.withLock { $0.count(method: method, path: path, status: status, bodyBytes: bodyBytes) }
    }

    public var snapshot: TrafficCounts { counts.withLock { $0 } }
}
