import StoreCore
import Synchronization

/// Dossiers a replica read, each with its snap's generation at the time (migration v15: a trigger
/// bumps it with every change to the snap, its revisions, channel map, deltas or publisher, on any
/// replica). A refresh reads the generations of the snaps it needs in one statement and rereads
/// only the dossiers whose generation moved, in the same snapshot: what it answers is what the
/// database holds, never what another replica changed a moment ago.
final class GenerationCache: Sendable {
    /// Enough for a 10,000-snap catalogue several times over; past it the cache starts again.
    private static let capacity = 50_000
    private let entries = Mutex([String: (generation: Int64, dossier: SnapDossier)]())

    /// The dossier kept for `snapID` if it was read at `generation`.
    func dossier(_ snapID: String, at generation: Int64) -> SnapDossier? {
        entries.withLock { entries in
            entries[snapID].flatMap { $0.generation == generation ? $0.dossier : nil }
        }
    }

    func keep(_ dossier: SnapDossier, at generation: Int64) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries = [:] }
            entries[dossier.snap.snapID] = (generation, dossier)
        }
    }
}
