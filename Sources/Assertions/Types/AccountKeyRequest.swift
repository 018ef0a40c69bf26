/// `account-key-request`: an account's request that the store register one of its keys, signed
/// by that key itself (`asserts/account_key.go`): what `snap export-key --account=ID` makes and
/// `snapcraft register-key` sends. The store answers with the `account-key` it signs.
public struct AccountKeyRequest: Sendable {
    public let assertion: Assertion
    public let since: Timestamp
    public let until: Timestamp?
    public let publicKey: PublicKey

    public init(_ assertion: Assertion) throws(AssertionError) {
        let checks = HeaderChecks(assertion.headers)
        _ = try checks.notEmptyString("account-id")
        _ = try checks.string("name", matching: .accountKeyName)
        (since, until) = try AccountKey.validity(checks)
        let key = try PublicKey(encoded: assertion.body)
        guard try checks.notEmptyString("public-key-sha3-384") == key.id else {
            throw AssertionError(.invalid, "public key does not match provided key id")
        }
        publicKey = key
        self.assertion = assertion
    }

    public var accountID: String { assertion.string("account-id") }
    public var name: String { assertion.string("name") }
}

extension AssertionType {
    public static let accountKeyRequest: AssertionType = AssertionType(
        name: "account-key-request", primaryKey: ["public-key-sha3-384"], hasAuthority: false,
        validate: { assertion throws(AssertionError) in _ = try AccountKeyRequest(assertion) },
        checkConsistency: { assertion, database throws(AssertionError) in
            let request = try AccountKeyRequest(assertion)
            try database.requireAccount(
                request.accountID,
                "account-key-request assertion for \"\(request.accountID)\" does not have a matching account assertion")
        },
        prerequisites: { [AssertionReference(.account, [$0.string("account-id")])] })
}
