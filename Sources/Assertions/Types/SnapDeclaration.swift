/// `snap-declaration`: a snap name's id, publisher and interface policy, signed by the store
/// (`asserts/snap_asserts.go`). Interface rules are kept as structured values and only analysed
/// for the format they need; snapdepot does not evaluate them.
public struct SnapDeclaration: Sendable {
    public let assertion: Assertion
    public let timestamp: Timestamp
    public let refreshControl: [String]
    public let plugs: [String: HeaderValue]
    public let slots: [String: HeaderValue]
    public let autoAliases: [String]
    /// Alias name to app name.
    public let aliases: [String: String]
    public let revisionAuthorities: [RevisionAuthority]

    /// Who may sign revisions of this snap with a non-default provenance, and which revisions.
    public struct RevisionAuthority: Sendable, Equatable {
        public let accountID: String
        public let provenance: [String]
        public let minRevision: Int
        /// 0 means no upper bound.
        public let maxRevision: Int
    }

    public init(_ assertion: Assertion) throws(AssertionError) {
        let checks = HeaderChecks(assertion.headers)
        _ = try checks.existingString("snap-name")
        _ = try checks.notEmptyString("publisher-id")
        timestamp = try checks.date("timestamp")
        refreshControl = try checks.stringList("refresh-control")
        plugs = try checks.optionalMap("plugs") ?? [:]
        slots = try checks.optionalMap("slots") ?? [:]
        autoAliases = try checks.stringList("auto-aliases", matching: .alias)
        aliases = try Self.aliases(assertion.headers["aliases"])
        revisionAuthorities = try Self.revisionAuthorities(assertion.headers["revision-authority"])
        self.assertion = assertion
    }

    public var series: String { assertion.string("series") }
    public var snapID: String { assertion.string("snap-id") }
    /// Empty when the name was revoked.
    public var snapName: String { assertion.string("snap-name") }
    public var publisherID: String { assertion.string("publisher-id") }

    public func revisionAuthorities(for provenance: String) -> [RevisionAuthority] {
        revisionAuthorities.filter { $0.provenance.contains(provenance) }
    }

    private static func aliases(_ value: HeaderValue?) throws(AssertionError) -> [String: String] {
        guard let value else { return [:] }
        guard let items = value.listValue else {
            throw AssertionError(.invalid, "\"aliases\" header must be a list of alias maps")
        }
        var result: [String: String] = [:]
        for (index, item) in items.enumerated() {
            guard let map = item.mapValue else {
                throw AssertionError(.invalid, "\"aliases\" header must be a list of alias maps")
            }
            let name = try HeaderChecks(map, what: "in \"aliases\" item \(index + 1)").string("name", matching: .alias)
            let target = try HeaderChecks(map, what: "for alias \"\(name)\"").string(
                "target", matching: .dashedAlphanumeric)
            guard result[name] == nil else {
                throw AssertionError(.invalid, "duplicated definition in \"aliases\" for alias \"\(name)\"")
            }
            result[name] = target
        }
        return result
    }

    private static func revisionAuthorities(_ value: HeaderValue?) throws(AssertionError) -> [RevisionAuthority] {
        guard let value else { return [] }
        guard let items = value.listValue else {
            throw AssertionError(.invalid, "revision-authority stanza must be a list of maps")
        }
        guard !items.isEmpty else { throw AssertionError(.invalid, "revision-authority stanza cannot be empty") }
        var result: [RevisionAuthority] = []
        for item in items {
            guard let map = item.mapValue else {
                throw AssertionError(.invalid, "revision-authority stanza must be a list of maps")
            }
            let checks = HeaderChecks(map, what: "in revision authority")
            let accountID = try checks.string("account-id", matching: .accountID)
            let provenance = try checks.stringList(
                "provenance", matching: .dashedAlphanumeric, description: "provenance in revision authority")
            guard !provenance.isEmpty else {
                throw AssertionError(.invalid, "provenance in revision authority cannot be empty")
            }
            let minRevision = checks.has("min-revision") ? try checks.snapRevision("min-revision") : 1
            let maxRevision = checks.has("max-revision") ? try checks.snapRevision("max-revision") : 0
            if maxRevision != 0 && maxRevision < minRevision {
                throw AssertionError(
                    .invalid, "optional max-revision cannot be less than min-revision in revision-authority")
            }
            for scope in ["on-store", "on-brand", "on-model"] where checks.has(scope) {
                _ = try checks.stringList(scope, description: "\(scope) in revision-authority")
            }
            result.append(
                RevisionAuthority(
                    accountID: accountID, provenance: provenance, minRevision: minRevision, maxRevision: maxRevision))
        }
        return result
    }
}

extension AssertionType {
    public static let snapDeclaration: AssertionType = AssertionType(
        name: "snap-declaration", primaryKey: ["series", "snap-id"], maxSupportedFormat: 5,
        validate: { assertion throws(AssertionError) in _ = try SnapDeclaration(assertion) },
        checkConsistency: { assertion, database throws(AssertionError) in
            let declaration = try SnapDeclaration(assertion)
            let what = "snap-declaration assertion for \"\(declaration.snapName)\" (id \"\(declaration.snapID)\")"
            try database.requireTrustedAuthority(assertion, what)
            try database.requireAccount(
                declaration.publisherID,
                "\(what) does not have a matching account assertion for the publisher \"\(declaration.publisherID)\"")
        },
        prerequisites: { [AssertionReference(.account, [$0.string("publisher-id")])] },
        minimumFormat: { headers throws(AssertionError) in try InterfaceRuleFeatures.minimumFormat(headers) })
}
