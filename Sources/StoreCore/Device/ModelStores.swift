import Assertions

/// The brand store each model names (its `store` header), looked up for every device request
/// with a session and kept for a minute, so a re-imported model is seen soon without a database
/// read per request.
actor ModelStores {
    static let maximumAge: Int64 = 60

    private var known: [String: (store: String?, at: Int64)] = [:]

    func store(brandID: String, model: String, now: Int64, lookUp: () async throws -> String?) async rethrows
        -> String?
    {
        let key = "\(brandID)/\(model)"
        if let entry = known[key], now - entry.at < Self.maximumAge { return entry.store }
        let store = try await lookUp()
        known[key] = (store, now)
        return store
    }
}

extension SnapStore {
    /// The brand store of the model of the device with `serialKey` (`brand/model/serial`); nil
    /// when its model names none or is unknown here. A device with a session sees this store,
    /// whatever its `Snap-Device-Store` header says.
    public func brandStore(ofDevice serialKey: String) async throws -> String? {
        let parts = serialKey.split(separator: "/", maxSplits: 2).map(String.init)
        guard parts.count == 3 else { return nil }
        return try await modelStores.store(brandID: parts[0], model: parts[1], now: clock().seconds) {
            let stored = try await catalogue.assertion(AssertionReference(.model, ["16", parts[0], parts[1]]))
            let store = stored?.string("store") ?? ""
            return store.isEmpty ? nil : store
        }
    }
}
