/// `validation-set`: an account's statement of which snaps, at which revisions, must, may or must
/// not be installed together; a sequence-forming type (`asserts/validation_set.go`).
public struct ValidationSet: Sendable {
    public enum Presence: String, Sendable {
        case required, optional, invalid
    }

    public struct Snap: Sendable, Equatable {
        public let name: String
        public let snapID: String
        public let presence: Presence
        /// 0 when no revision is pinned.
        public let revision: Int
    }

    public let assertion: Assertion
    public let sequence: Int
    public let snaps: [Snap]
    public let timestamp: Timestamp

    public init(_ assertion: Assertion) throws(AssertionError) {
        let accountID = assertion.string("account-id")
        guard accountID == assertion.authorityID else {
            throw AssertionError(
                .invalid,
                "authority-id and account-id must match, validation-set assertions are expected to be signed by the issuer account: \"\(assertion.authorityID)\" != \"\(accountID)\""
            )
        }
        let checks = HeaderChecks(assertion.headers)
        _ = try checks.string("name", matching: .dashedLowerAlphanumeric)
        sequence = try checks.integer("sequence")
        guard sequence >= 1 else { throw AssertionError(.invalid, "\"sequence\" must be >=1: \(sequence)") }
        guard let list = assertion.headers["snaps"] else {
            throw AssertionError(.invalid, "\"snaps\" header is mandatory")
        }
        snaps = try Self.snaps(list)
        timestamp = try checks.date("timestamp")
        self.assertion = assertion
    }

    public var series: String { assertion.string("series") }
    public var accountID: String { assertion.string("account-id") }
    public var name: String { assertion.string("name") }

    private static func snaps(_ value: HeaderValue) throws(AssertionError) -> [Snap] {
        let listError = AssertionError(.invalid, "\"snaps\" header must be a list of maps")
        guard let entries = value.listValue else { throw listError }
        var names: Set<String> = []
        var ids: [String: String] = [:]
        var result: [Snap] = []
        for entry in entries {
            guard let map = entry.mapValue else { throw listError }
            let name = try HeaderChecks(map, what: "of snap").notEmptyString("name")
            guard NameRule.snapName.matches(name) else {
                throw AssertionError(.invalid, "invalid snap name \"\(name)\"")
            }
            let checks = HeaderChecks(map, what: "of snap \"\(name)\"")
            let snapID = try checks.string("id", matching: .snapID)
            let presenceText = try checks.optionalString("presence") ?? ""
            guard presenceText.isEmpty || Presence(rawValue: presenceText) != nil else {
                throw AssertionError(
                    .invalid, "presence of snap \"\(name)\" must be one of required|optional|invalid")
            }
            let presence = Presence(rawValue: presenceText) ?? .required
            let revision = checks.has("revision") ? try checks.snapRevision("revision") : 0
            if revision != 0 && presence == .invalid {
                throw AssertionError(
                    .invalid,
                    "cannot specify revision of snap \"\(name)\" at the same time as stating its presence is invalid")
            }
            guard names.insert(name).inserted else {
                throw AssertionError(.invalid, "cannot list the same snap \"\(name)\" multiple times")
            }
            if let other = ids[snapID] {
                throw AssertionError(
                    .invalid,
                    "cannot specify the same snap id \"\(snapID)\" multiple times, specified for snaps \"\(other)\" and \"\(name)\""
                )
            }
            ids[snapID] = name
            result.append(Snap(name: name, snapID: snapID, presence: presence, revision: revision))
        }
        return result
    }
}

extension AssertionType {
    public static let validationSet: AssertionType = AssertionType(
        name: "validation-set", primaryKey: ["series", "account-id", "name", "sequence"], isSequenceForming: true,
        validate: { assertion throws(AssertionError) in _ = try ValidationSet(assertion) })
}
