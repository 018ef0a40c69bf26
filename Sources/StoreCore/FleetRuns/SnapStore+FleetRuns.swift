extension SnapStore {
    /// A split fleet run's shards (`fleet run --shard K/N`, each a process, perhaps on its own
    /// machine) meet at the store they all drive: at each scenario step that changes the store,
    /// every shard notes that it reached the step (party K), the first shard applies the step once
    /// everyone is there and notes that it did (party 0), and the others wait for that. The store is
    /// the one place every shard reaches, and through the catalogue every replica sees the same.
    public func meet(fleetRun run: String, step: Int, party: Int, note: String, by principal: Principal)
        async throws -> [Int: String]
    {
        try principal.requireAdmin()
        try Self.checkRendezvous(run: run, step: step, party: party)
        guard note.utf8.count <= 64 * 1024 else {
            throw StoreError(.invalid, "a fleet run's note is at most 64 KiB, not \(note.utf8.count) bytes")
        }
        return try await catalogue.meet(run: run, step: step, party: party, note: note)
    }

    /// The parties that reached `step` of a fleet run, with their notes.
    public func rendezvous(fleetRun run: String, step: Int, by principal: Principal) async throws -> [Int: String] {
        try principal.requireAdmin()
        try Self.checkRendezvous(run: run, step: step, party: 0)
        return try await catalogue.rendezvous(run: run, step: step)
    }

    private static func checkRendezvous(run: String, step: Int, party: Int) throws(StoreError) {
        guard DeviceGroup.isValidName(run) else {
            throw StoreError(
                .invalid, "invalid fleet run name \"\(run)\": lower-case letters, digits and -, starting with a letter")
        }
        guard (0...1_000_000).contains(step) else { throw StoreError(.invalid, "step \(step) is out of range") }
        guard (0...100_000).contains(party) else { throw StoreError(.invalid, "party \(party) is out of range") }
    }
}
