/// `snap-developer`: the accounts a snap's publisher lets upload revisions, each for a time
/// (`asserts/snap_asserts.go`); a range whose `since` equals its `until` revokes.
public struct SnapDeveloper: Sendable {
    public struct Range: Sendable, Equatable {
        public let since: Timestamp
        /// nil: open-ended.
        public let until: Timestamp?
    }

    public let assertion: Assertion
    /// Each developer's ranges, in the assertion's order.
    public let developers: [String: [Range]]

    public init(_ assertion: Assertion) throws(AssertionError) {
        developers = try Self.developers(assertion.headers["developers"])
        self.assertion = assertion
    }

    public var snapID: String { assertion.string("snap-id") }
    public var publisherID: String { assertion.string("publisher-id") }

    private static func developers(_ value: HeaderValue?) throws(AssertionError) -> [String: [Range]] {
        guard let value else { return [:] }
        let shape = AssertionError(.invalid, "\"developers\" must be a list of developer maps")
        guard let items = value.listValue else { throw shape }
        var ranges: [String: [Range]] = [:]
        var revoked: [String: Bool] = [:]
        for (index, item) in items.enumerated() {
            guard let map = item.mapValue else { throw shape }
            let developerID = try HeaderChecks(map, what: "in \"developers\" item \(index + 1)").string(
                "developer-id", matching: .accountID)
            let what = "in \"developers\" item \(index + 1) for developer \"\(developerID)\""
            let checks = HeaderChecks(map, what: what)
            let since = try checks.date("since")
            let until = try checks.optionalDate("until")
            if let until, since > until {
                throw AssertionError(.invalid, "\"since\" \(what) must be less than or equal to \"until\"")
            }
            let revokes = until == since
            if let earlier = revoked[developerID], earlier || revokes {
                throw AssertionError(
                    .invalid,
                    "revocation for developer \"\(developerID)\" must be standalone but found other \"developers\" items"
                )
            }
            revoked[developerID] = revoked[developerID] ?? revokes
            ranges[developerID, default: []].append(Range(since: since, until: until))
        }
        return ranges
    }
}

extension AssertionType {
    public static let snapDeveloper: AssertionType = AssertionType(
        name: "snap-developer", primaryKey: ["snap-id", "publisher-id"],
        validate: { assertion throws(AssertionError) in _ = try SnapDeveloper(assertion) },
        checkConsistency: { assertion, database throws(AssertionError) in
            let developer = try SnapDeveloper(assertion)
            let publisherID = developer.publisherID
            guard database.isTrustedAccount(assertion.authorityID) || assertion.authorityID == publisherID else {
                throw AssertionError(
                    .trust,
                    "snap-developer must be signed by the publisher or a trusted authority but got authority \"\(assertion.authorityID)\" and publisher \"\(publisherID)\""
                )
            }
            guard database.find(AssertionReference(.snapDeclaration, ["16", developer.snapID])) != nil else {
                throw AssertionError(
                    .trust,
                    "snap-developer assertion for snap id \"\(developer.snapID)\" does not have a matching snap-declaration assertion"
                )
            }
            try database.requireAccount(
                publisherID,
                "snap-developer assertion for snap-id \"\(developer.snapID)\" does not have a matching account assertion for the publisher \"\(publisherID)\""
            )
            for developerID in developer.developers.keys.sorted() where developerID != publisherID {
                try database.requireAccount(
                    developerID,
                    "snap-developer assertion for snap-id \"\(developer.snapID)\" does not have a matching account assertion for the developer \"\(developerID)\""
                )
            }
        },
        prerequisites: { assertion in
            let developers = (try? SnapDeveloper(assertion))?.developers.keys.sorted() ?? []
            let publisherID = assertion.string("publisher-id")
            return [
                AssertionReference(.snapDeclaration, ["16", assertion.string("snap-id")]),
                AssertionReference(.account, [publisherID]),
            ] + developers.filter { $0 != publisherID }.map { AssertionReference(.account, [$0]) }
        })
}
