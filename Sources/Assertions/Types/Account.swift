/// `account`: a publisher or brand, signed by a directly trusted authority (`asserts/account.go`).
public struct Account: Sendable {
    public let assertion: Assertion
    public let validation: String
    public let timestamp: Timestamp

    public init(_ assertion: Assertion) throws(AssertionError) {
        let checks = HeaderChecks(assertion.headers)
        _ = try checks.notEmptyString("display-name")
        let validation = try checks.notEmptyString("validation")
        // snapd reads the historical "certified" as "verified".
        self.validation = validation == "certified" ? "verified" : validation
        self.timestamp = try checks.date("timestamp")
        _ = try checks.optionalString("username")
        self.assertion = assertion
    }

    public var accountID: String { assertion.string("account-id") }
    public var displayName: String { assertion.string("display-name") }
    public var username: String { assertion.string("username") }

    /// snapd's `IsValidAccountID`.
    public static func isValidID(_ id: String) -> Bool {
        NameRule.accountID.matches(id)
    }
}

extension AssertionType {
    public static let account: AssertionType = AssertionType(
        name: "account", primaryKey: ["account-id"],
        validate: { assertion throws(AssertionError) in _ = try Account(assertion) },
        checkConsistency: { assertion, database throws(AssertionError) in
            try database.requireTrustedAuthority(
                assertion, "account assertion for \"\(assertion.string("account-id"))\"")
        })
}
