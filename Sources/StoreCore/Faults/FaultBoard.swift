/// The faults in force, read from the catalogue once and kept until one is added, fires or is
/// cleared, so that a store without faults answers without reading anything more.
actor FaultBoard {
    private var cached: [Fault]?

    func faults(from catalogue: any Catalogue) async throws -> [Fault] {
        if let cached { return cached }
        let loaded = try await catalogue.faults()
        cached = loaded
        return loaded
    }

    func invalidate() {
        cached = nil
    }
}
