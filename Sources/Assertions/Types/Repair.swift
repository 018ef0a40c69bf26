/// `repair`: a script a brand sends to its devices' snap-repair to fix what an update cannot,
/// numbered in a sequence per brand; the body is the script (`asserts/repair.go`).
public struct Repair: Sendable {
    public let assertion: Assertion
    public let repairID: Int
    public let series: [String]
    public let models: [String]
    public let architectures: [String]
    public let modes: [String]
    public let bases: [String]
    public let disabled: Bool
    public let timestamp: Timestamp

    public init(_ assertion: Assertion) throws(AssertionError) {
        let brandID = assertion.string("brand-id")
        guard brandID == assertion.authorityID else {
            throw AssertionError(
                .invalid,
                "authority-id and brand-id must match, repair assertions are expected to be signed by the brand: \"\(assertion.authorityID)\" != \"\(brandID)\""
            )
        }
        let checks = HeaderChecks(assertion.headers)
        repairID = try checks.integer("repair-id")
        guard repairID >= 1 else { throw AssertionError(.invalid, "\"repair-id\" must be >=1: \(repairID)") }
        let summary = try checks.notEmptyString("summary")
        guard !summary.contains(where: { $0 == "\n" || $0 == "\r" }) else {
            throw AssertionError(.invalid, "\"summary\" header cannot have newlines")
        }
        series = try checks.stringList("series")
        models = try checks.stringList("models")
        architectures = try checks.stringList("architectures")
        modes = try checks.stringList("modes")
        bases = try checks.stringList("bases")
        for base in bases where !NameRule.snapName.matches(base) {
            throw AssertionError(.invalid, "invalid snap name \"\(base)\" in \"bases\"")
        }
        for mode in modes where mode != "run" && mode != "recover" {
            throw AssertionError(
                .invalid,
                "header \"modes\" contains an invalid element: \"\(mode)\" (valid values are run and recover)")
        }
        // Recovery modes exist from Ubuntu Core 20 on.
        if !modes.isEmpty, bases.contains(where: { ["core", "core16", "core18"].contains($0) }) {
            throw AssertionError(
                .invalid,
                "in the presence of a non-empty \"modes\" header, \"bases\" must only contain base snaps supporting recovery modes"
            )
        }
        disabled = try checks.optionalBool("disabled")
        timestamp = try checks.date("timestamp")
        self.assertion = assertion
    }

    public var brandID: String { assertion.string("brand-id") }
    public var summary: String { assertion.string("summary") }
    public var script: [UInt8] { assertion.body }
}

extension AssertionType {
    public static let repair: AssertionType = AssertionType(
        name: "repair", primaryKey: ["brand-id", "repair-id"], isSequenceForming: true,
        validate: { assertion throws(AssertionError) in _ = try Repair(assertion) })
}
