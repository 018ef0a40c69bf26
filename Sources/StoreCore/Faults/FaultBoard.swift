import Synchronization

/// The faults in force, read from the catalogue once and kept until one is added, fires or is
/// cleared, so that a store without faults answers without reading anything more. Replicas sharing
/// the catalogue add and clear faults each on its own: there the list is read again once a second,
/// which is how long a fault added on one replica takes to act on another.
///
/// A lock rather than an actor: every refresh, download and assertion asks, and a call into an
/// actor is a hop to its executor and back for each of them (docs/performance.md).
final class FaultBoard: Sendable {
    private struct Kept {
        var faults: [Fault]?
        var readAt = ContinuousClock.now
        /// Counts invalidations, so that a list read while a fault was being added is not kept.
        var generation: UInt64 = 0
    }

    private let kept = Mutex(Kept())
    static let sharedLifetime: Duration = .seconds(1)

    func faults(from catalogue: any Catalogue) async throws -> [Fault] {
        let now = ContinuousClock.now
        let (found, generation) = kept.withLock { kept in
            let fresh = !catalogue.isShared || now - kept.readAt < Self.sharedLifetime
            return (fresh ? kept.faults : nil, kept.generation)
        }
        if let found { return found }
        let loaded = try await catalogue.faults()
        kept.withLock { kept in
            guard kept.generation == generation else { return }
            kept.faults = loaded
            kept.readAt = now
        }
        return loaded
    }

    func invalidate() {
        kept.withLock { kept in
            kept.faults = nil
            kept.generation &+= 1
        }
    }
}
