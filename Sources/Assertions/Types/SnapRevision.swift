/// `snap-revision`: binds a snap file's SHA3-384 and size to a snap id and revision
/// (`asserts/snap_asserts.go`). The optional primary key `provenance` defaults to `global-upload`.
public struct SnapRevision: Sendable {
    public static let defaultProvenance = "global-upload"

    public let assertion: Assertion
    public let snapSize: UInt64
    public let snapRevision: Int
    public let timestamp: Timestamp

    public init(_ assertion: Assertion) throws(AssertionError) {
        let checks = HeaderChecks(assertion.headers)
        _ = try checks.digest("snap-sha3-384")
        if checks.has("provenance") {
            _ = try checks.string("provenance", matching: .dashedAlphanumeric)
        }
        _ = try checks.notEmptyString("snap-id")
        snapSize = try checks.unsignedInteger("snap-size")
        snapRevision = try checks.snapRevision("snap-revision")
        _ = try checks.notEmptyString("developer-id")
        timestamp = try checks.date("timestamp")
        self.assertion = assertion
    }

    public var snapSHA3_384: String { assertion.string("snap-sha3-384") }
    public var provenance: String { assertion.string("provenance") }
    public var snapID: String { assertion.string("snap-id") }
    public var developerID: String { assertion.string("developer-id") }
}

extension AssertionType {
    public static let snapRevision: AssertionType = AssertionType(
        name: "snap-revision", primaryKey: ["snap-sha3-384", "provenance"],
        optionalPrimaryKeyDefaults: ["provenance": SnapRevision.defaultProvenance],
        validate: { assertion throws(AssertionError) in _ = try SnapRevision(assertion) },
        checkConsistency: { assertion, database throws(AssertionError) in
            let revision = try SnapRevision(assertion)
            let otherProvenance = revision.provenance != SnapRevision.defaultProvenance
            if !otherProvenance && !database.isTrustedAccount(assertion.authorityID) {
                throw AssertionError(
                    .trust,
                    "snap-revision assertion for snap id \"\(revision.snapID)\" is not signed by a store: \(assertion.authorityID)"
                )
            }
            try database.requireAccount(
                revision.developerID,
                "snap-revision assertion for snap id \"\(revision.snapID)\" does not have a matching account assertion for the developer \"\(revision.developerID)\""
            )
            guard let found = database.find(AssertionReference(.snapDeclaration, ["16", revision.snapID])) else {
                throw AssertionError(
                    .trust,
                    "snap-revision assertion for snap id \"\(revision.snapID)\" does not have a matching snap-declaration assertion"
                )
            }
            guard otherProvenance else { return }
            let declaration = try SnapDeclaration(found)
            let authorized = declaration.revisionAuthorities(for: revision.provenance).contains {
                $0.accountID == assertion.authorityID && revision.snapRevision >= $0.minRevision
                    && ($0.maxRevision == 0 || revision.snapRevision <= $0.maxRevision)
            }
            guard authorized else {
                throw AssertionError(
                    .trust,
                    "snap-revision assertion with provenance \"\(revision.provenance)\" for snap id \"\(revision.snapID)\" is not signed by an authorized authority: \(assertion.authorityID)"
                )
            }
        },
        prerequisites: {
            [
                AssertionReference(.snapDeclaration, ["16", $0.string("snap-id")]),
                AssertionReference(.account, [$0.string("developer-id")]),
            ]
        })
}
