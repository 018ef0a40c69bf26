import Hummingbird
import StoreCore

/// Where a split fleet run's shards meet (`SnapStore.meet(fleetRun:…)`), with the admin token:
/// `PUT /admin/v1/fleet-runs/{run}/steps/{step}/parties/{party}` with `{"note": "…"}` notes a
/// party's arrival, and it and `GET /admin/v1/fleet-runs/{run}/steps/{step}` answer
/// `{"parties": {"1": "note", …}}`.
struct AdminFleetRunRoutes {
    let store: SnapStore

    struct Arrival: Codable {
        let note: String?
    }

    struct Parties: Codable {
        let parties: [String: String]
    }

    func add(to api: RouterGroup<StoreRequestContext>) {
        api.get("fleet-runs/{run}/steps/{step}", use: rendezvous)
        api.put("fleet-runs/{run}/steps/{step}/parties/{party}", use: meet)
    }

    @Sendable func meet(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(Arrival.self, from: request, dialect: .admin)
        let parties = try await store.meet(
            fleetRun: try context.parameters.require("run"), step: try Self.number("step", context),
            party: try Self.number("party", context), note: body.note ?? "", by: principal)
        return try Self.response(parties)
    }

    @Sendable func rendezvous(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let parties = try await store.rendezvous(
            fleetRun: try context.parameters.require("run"), step: try Self.number("step", context),
            by: try context.requirePrincipal())
        return try Self.response(parties)
    }

    private static func number(_ name: String, _ context: StoreRequestContext) throws -> Int {
        guard let number = Int(try context.parameters.require(name)) else {
            throw StoreError(.invalid, "the \(name) is a number")
        }
        return number
    }

    private static func response(_ parties: [Int: String]) throws -> Response {
        try JSONBody.response(
            Parties(parties: Dictionary(uniqueKeysWithValues: parties.map { (String($0.key), $0.value) })),
            dialect: .admin)
    }
}
