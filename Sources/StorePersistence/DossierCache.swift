import GRDB
import StoreCore
import Synchronization

/// Snap dossiers kept in memory between refreshes, dropped by any commit that changes a table they
/// are read from.
///
/// A refresh of 20 installed snaps read 20 dossiers (the snap, its revisions, its channel map and
/// publisher) from SQLite each time: a quarter of the server's time under load, most of it in
/// decoding rows. Devices ask far more often than publishers write, so the answer is kept, tagged
/// with the catalogue's *generation*: a number this observer of the writer's transactions bumps
/// whenever a commit touched `snaps`, `revisions`, `releases`, `accounts` or `deltas`. An entry is used only
/// while the generation it was read at is still current, and the generation is taken before the
/// read, so a read that races a commit is tagged stale, never fresh. It relies on this process
/// being the catalogue's only writer, as the store already does.
final class DossierCache: TransactionObserver, Sendable {
    private static let tables: Set<String> = ["snaps", "revisions", "releases", "accounts", "deltas"]
    /// Enough for a 10,000-snap catalogue several times over; past it the cache starts again.
    private static let capacity = 50_000

    private struct State {
        var generation: UInt64 = 0
        var changedInTransaction = false
        var entries: [String: (generation: UInt64, dossier: SnapDossier)] = [:]
    }
    private let state = Mutex(State())

    var generation: UInt64 { state.withLock { $0.generation } }

    /// The dossiers of `snapIDs` still current, and the ids the caller has to read.
    func dossiers(_ snapIDs: [String]) -> (found: [String: SnapDossier], missing: Set<String>) {
        state.withLock { state in
            var found: [String: SnapDossier] = [:]
            found.reserveCapacity(snapIDs.count)
            var missing: Set<String> = []
            for snapID in snapIDs {
                if let entry = state.entries[snapID], entry.generation == state.generation {
                    found[snapID] = entry.dossier
                } else {
                    missing.insert(snapID)
                }
            }
            return (found, missing)
        }
    }

    /// Keeps dossiers read at `generation` (taken before the read began).
    func keep(_ dossiers: [String: SnapDossier], readAt generation: UInt64) {
        state.withLock { state in
            guard generation == state.generation else { return }
            if state.entries.count + dossiers.count > Self.capacity { state.entries = [:] }
            for (snapID, dossier) in dossiers { state.entries[snapID] = (generation, dossier) }
        }
    }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        Self.tables.contains(eventKind.tableName)
    }

    func databaseDidChange(with event: DatabaseEvent) {
        state.withLock { $0.changedInTransaction = true }
    }

    func databaseDidCommit(_ db: Database) {
        state.withLock { state in
            guard state.changedInTransaction else { return }
            state.changedInTransaction = false
            state.generation &+= 1
            state.entries = [:]
        }
    }

    func databaseDidRollback(_ db: Database) {
        state.withLock { $0.changedInTransaction = false }
    }
}
