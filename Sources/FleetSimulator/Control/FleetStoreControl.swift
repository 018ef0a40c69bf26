import StoreProtocol

/// What a rehearsal does to the store as its release manager would, through the store's admin
/// API: the scenario's releases, faults and groups, and what it reads back to check its
/// expectations. The CLI provides it over HTTP with the admin token.
public protocol FleetStoreControl: Sendable {
    /// The revisions the store holds of a snap; an error when it has no such snap.
    func revisions(of snap: String) async throws -> [Int]
    /// Whether the store has a group of this name.
    func groupExists(_ name: String) async throws -> Bool
    func release(_ release: Scenario.Release) async throws
    /// Has the store make the deltas from `sources` to `target` now; a store that makes none
    /// (no xdelta3) is not an error: its devices download whole snaps.
    func makeDeltas(of snap: String, from sources: Set<Int>, to target: Int) async throws
    /// Adds a fault and returns its id and the snap-id of its snap.
    func addFault(_ fault: Scenario.Fault) async throws -> (id: Int, snapID: String?)
    func clearFaults() async throws
    /// Tags devices (by serial, of one brand and model) with a group's name.
    func tag(_ name: String, serials: [String], brandID: String, model: String) async throws
    /// Makes a group of the devices tagged with its name.
    func makeGroup(_ name: String, brandID: String, model: String) async throws
    /// The state of the snap's rollouts in its channel: `halted`, `rolling` or `none`, and why.
    func rolloutState(of snap: String, channel: String) async throws -> (state: String, detail: String)
    /// Notes at the store that `party` reached `step` of the split run `run`; returns every party
    /// there, with its note (`ShardRendezvous`).
    func meet(run: String, step: Int, party: Int, note: String) async throws -> [Int: String]
    /// The parties that reached `step` of `run`, with their notes.
    func rendezvous(run: String, step: Int) async throws -> [Int: String]
    /// The store's own counters.
    func counters() async throws -> TrafficCounts
}
