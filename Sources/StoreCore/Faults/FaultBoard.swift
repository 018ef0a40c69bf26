/// The faults in force, read from the catalogue once and kept until one is added, fires or is
/// cleared, so that a store without faults answers without reading anything more. Replicas sharing
/// the catalogue add and clear faults each on its own: there the list is read again once a second,
/// which is how long a fault added on one replica takes to act on another.
actor FaultBoard {
    private var cached: [Fault]?
    private var readAt = ContinuousClock.now
    static let sharedLifetime: Duration = .seconds(1)

    func faults(from catalogue: any Catalogue) async throws -> [Fault] {
        if let cached, !catalogue.isShared || ContinuousClock.now - readAt < Self.sharedLifetime { return cached }
        let loaded = try await catalogue.faults()
        cached = loaded
        readAt = .now
        return loaded
    }

    func invalidate() {
        cached = nil
    }
}
