import FleetSimulator
import Foundation
import StoreCore
import StoreProtocol

/// The fleet's release manager over the store's admin API, with the admin token.
struct StoreFleetControl: FleetStoreControl {
    let client: StoreClient

    func revisions(of snap: String) async throws -> [Int] {
        try await client.get("/admin/v1/snaps/\(snap)/revisions", as: [RevisionRecord].self).map(\.revision)
    }

    func groupExists(_ name: String) async throws -> Bool {
        do {
            _ = try await client.raw(.GET, "/admin/v1/groups/\(name)", body: nil, contentType: "application/json")
            return true
        } catch let error as CLIError where error.description.contains("(404") {
            return false
        }
    }

    func release(_ release: Scenario.Release) async throws {
        _ = try await client.post(
            "/admin/v1/snaps/\(release.snap)/releases",
            ReleaseRequest(
                revision: release.revision, channels: [release.channel], progressive: release.progressive, store: nil,
                to: release.group, haltAt: release.haltAt, minAttempts: release.minAttempts),
            as: SnapStatus.self)
    }

    func makeDeltas(of snap: String, from sources: Set<Int>, to target: Int) async throws {
        struct Order: Encodable {
            let source: Int
            let target: Int
            let store: String?
        }
        for source in sources.sorted() where source != target {
            do {
                _ = try await client.post(
                    "/admin/v1/snaps/\(snap)/deltas", Order(source: source, target: target, store: nil),
                    as: SnapStore.DeltaView.self)
            } catch let error as CLIError where error.description.hasSuffix("(503 unavailable)") {
                return
            }
        }
    }

    func addFault(_ fault: Scenario.Fault) async throws -> (id: Int, snapID: String?) {
        let added = try await client.post(
            "/admin/v1/faults",
            FaultRequest(
                kind: fault.kind, endpoint: fault.endpoint, snap: fault.snap, store: nil, revision: fault.revision,
                group: fault.group, devicePercent: fault.devicePercent, chance: fault.chance, times: fault.times,
                status: fault.status, delayMs: fault.delayMilliseconds, afterBytes: fault.afterBytes,
                bytesPerSecond: fault.bytesPerSecond),
            as: Fault.self)
        return (added.id, added.snapID)
    }

    func clearFaults() async throws {
        _ = try await client.raw(.DELETE, "/admin/v1/faults", body: nil, contentType: "application/json")
    }

    func tag(_ name: String, serials: [String], brandID: String, model: String) async throws {
        guard !serials.isEmpty else { return }
        _ = try await client.post(
            "/admin/v1/devices/tags",
            TagRequest(serials: serials, brand: brandID, model: model, add: [name], remove: []),
            as: [DeviceRecord].self)
    }

    func makeGroup(_ name: String, brandID: String, model: String) async throws {
        _ = try await client.post(
            "/admin/v1/groups", GroupRequest(name: name, brand: brandID, model: model, tag: name, serials: nil),
            as: GroupsCommand.GroupView.self)
    }

    struct Arrival: Encodable {
        let note: String
    }

    struct Parties: Decodable {
        let parties: [String: String]

        var byParty: [Int: String] {
            Dictionary(parties.compactMap { key, note in Int(key).map { ($0, note) } }, uniquingKeysWith: { a, _ in a })
        }
    }

    func meet(run: String, step: Int, party: Int, note: String) async throws -> [Int: String] {
        try await client.put(
            "/admin/v1/fleet-runs/\(run)/steps/\(step)/parties/\(party)", Arrival(note: note), as: Parties.self
        ).byParty
    }

    func rendezvous(run: String, step: Int) async throws -> [Int: String] {
        try await client.get("/admin/v1/fleet-runs/\(run)/steps/\(step)", as: Parties.self).byParty
    }

    func rolloutState(of snap: String, channel: String) async throws -> (state: String, detail: String) {
        let rollouts = try await client.get("/admin/v1/snaps/\(snap)/rollouts", as: [SnapStore.RolloutView].self)
            .filter { $0.channel == Self.fullChannel(channel) || $0.channel == channel }
        if let halted = rollouts.first(where: { $0.halt != nil }) {
            return ("halted", "r\(halted.revision) at \(halted.percentage.formatted()) %, \(halted.halt?.reason ?? "")")
        }
        if let rolling = rollouts.first {
            return (
                "rolling",
                "r\(rolling.revision) at \(rolling.percentage.formatted()) %, \(rolling.failures) of "
                    + "\(rolling.attempts) attempts failed"
            )
        }
        return ("none", "")
    }

    func counters() async throws -> TrafficCounts {
        try await client.get("/admin/v1/counters", as: TrafficCounts.self)
    }

    private static func fullChannel(_ channel: String) -> String {
        channel.contains("/") ? channel : "latest/\(channel)"
    }
}
