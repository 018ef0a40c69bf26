/// `account-key`: a public key an account signs with, valid from `since` until `until`
/// (`asserts/account_key.go`). Its body is the encoded key; its primary key is the key id.
public struct AccountKey: Sendable {
    public let assertion: Assertion
    public let since: Timestamp
    public let until: Timestamp?
    public let publicKey: PublicKey

    public init(_ assertion: Assertion) throws(AssertionError) {
        let checks = HeaderChecks(assertion.headers)
        _ = try checks.notEmptyString("account-id")
        if checks.has("name") {
            _ = try checks.string("name", matching: .accountKeyName)
        }
        (since, until) = try Self.validity(checks)
        let key = try PublicKey(encoded: assertion.body)
        guard try checks.notEmptyString("public-key-sha3-384") == key.id else {
            throw AssertionError(.invalid, "public key does not match provided key id")
        }
        self.publicKey = key
        self.assertion = assertion
    }

    public var accountID: String { assertion.string("account-id") }
    public var name: String { assertion.string("name") }
    public var keyID: String { publicKey.id }

    static func validity(_ checks: HeaderChecks) throws(AssertionError) -> (Timestamp, Timestamp?) {
        let since = try checks.date("since")
        let until = try checks.optionalDate("until")
        if let until, until < since {
            throw AssertionError(.invalid, "'until' time cannot be before 'since' time")
        }
        return (since, until)
    }

    /// Whether an assertion made at `time` may be signed with this key: since ≤ time < until.
    public func isValid(at time: Timestamp) -> Bool {
        time >= since && (until.map { time < $0 } ?? true)
    }

    /// The words of a validity failure: "valid since X until Y".
    var validityDescription: String {
        "key valid since \(since)" + (until.map { " until \($0)" } ?? "")
    }
}

extension AssertionType {
    public static let accountKey: AssertionType = AssertionType(
        name: "account-key", primaryKey: ["public-key-sha3-384"],
        validate: { assertion throws(AssertionError) in _ = try AccountKey(assertion) },
        checkConsistency: { assertion, database throws(AssertionError) in
            let key = try AccountKey(assertion)
            try database.requireTrustedAuthority(assertion, "account-key assertion for \"\(key.accountID)\"")
            try database.requireAccount(
                key.accountID,
                "account-key assertion for \"\(key.accountID)\" does not have a matching account assertion")
            guard !key.name.isEmpty else { return }
            for existing in database.all(of: .accountKey)
            where existing.string("account-id") == key.accountID && existing.string("name") == key.name
                && existing.string("public-key-sha3-384") != key.keyID
            {
                throw AssertionError(
                    .trust,
                    "account-key assertion for \"\(key.accountID)\" with ID \"\(key.keyID)\" has the same name \"\(key.name)\" as existing ID \"\(existing.string("public-key-sha3-384"))\""
                )
            }
        },
        prerequisites: { [AssertionReference(.account, [$0.string("account-id")])] })
}
