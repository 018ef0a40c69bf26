import Assertions

/// The trust database built from the stored accounts, keys, models and stores, kept between
/// requests: building it verifies every one of their signatures, which a serial request or an
/// import would otherwise pay each time. It is rebuilt when what is stored changes (an import,
/// a registered key or account, a new model) and at least once a minute, so that a key's expiry
/// is judged against the present.
actor TrustCache {
    static let maximumAge: Int64 = 60

    private var fingerprint: [String] = []
    private var builtAt: Int64 = .min
    private var database: TrustDatabase?

    /// The cached database when `prerequisites` are what it was built from and it is fresh;
    /// otherwise `build`'s, remembered.
    func database(
        for prerequisites: [Assertion], now: Int64, build: () throws -> TrustDatabase
    ) rethrows -> TrustDatabase {
        let current = prerequisites.map { "\($0.reference.path)#\($0.revision)" }
        if let database, current == fingerprint, now - builtAt < Self.maximumAge { return database }
        let built = try build()
        (database, fingerprint, builtAt) = (built, current, now)
        return built
    }
}
