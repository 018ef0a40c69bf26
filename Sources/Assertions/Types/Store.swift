/// `store`: a brand store, its operator and location (`asserts/store_asserts.go`).
public struct StoreAssertion: Sendable {
    public let assertion: Assertion
    public let friendlyStores: [String]
    public let timestamp: Timestamp

    public init(_ assertion: Assertion) throws(AssertionError) {
        let checks = HeaderChecks(assertion.headers)
        _ = try checks.notEmptyString("operator-id")
        if let url = try checks.optionalString("url"), !url.isEmpty {
            try Self.checkURL(url)
        }
        friendlyStores = try checks.stringList("friendly-stores")
        _ = try checks.optionalString("location")
        timestamp = try checks.date("timestamp")
        self.assertion = assertion
    }

    public var store: String { assertion.string("store") }
    public var operatorID: String { assertion.string("operator-id") }
    public var url: String { assertion.string("url") }
    public var location: String { assertion.string("location") }

    /// http or https, with a host, no query and no fragment.
    private static func checkURL(_ url: String) throws(AssertionError) {
        let what = "\"url\" header"
        guard let schemeEnd = url.firstRange(of: "://") else {
            throw AssertionError(.invalid, "\(what) scheme must be \"https\" or \"http\": \(url)")
        }
        let scheme = url[..<schemeEnd.lowerBound]
        guard scheme == "http" || scheme == "https" else {
            throw AssertionError(.invalid, "\(what) scheme must be \"https\" or \"http\": \(url)")
        }
        let afterScheme = url[schemeEnd.upperBound...]
        let host = afterScheme.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !host.isEmpty else { throw AssertionError(.invalid, "\(what) must have a host: \(url)") }
        if let query = url.firstIndex(of: "?"), url[url.index(after: query)...].prefix(while: { $0 != "#" }).count > 0 {
            throw AssertionError(.invalid, "\(what) must not have a query: \(url)")
        }
        if let fragment = url.firstIndex(of: "#"), url.index(after: fragment) < url.endIndex {
            throw AssertionError(.invalid, "\(what) must not have a fragment: \(url)")
        }
        guard !url.contains(" ") else { throw AssertionError(.invalid, "\(what) must be a valid URL: \(url)") }
    }
}

extension AssertionType {
    public static let store: AssertionType = AssertionType(
        name: "store", primaryKey: ["store"],
        validate: { assertion throws(AssertionError) in _ = try StoreAssertion(assertion) },
        checkConsistency: { assertion, database throws(AssertionError) in
            let store = try StoreAssertion(assertion)
            try database.requireTrustedAuthority(assertion, "store assertion \"\(store.store)\"")
            try database.requireAccount(
                store.operatorID,
                "store assertion \"\(store.store)\" does not have a matching account assertion for the operator \"\(store.operatorID)\""
            )
        },
        prerequisites: { [AssertionReference(.account, [$0.string("operator-id")])] })
}
