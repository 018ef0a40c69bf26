/// `base-declaration`: the interface policy for every snap of a series, which snap declarations
/// refine (`asserts/snap_asserts.go`). snapd does not fetch it: it carries its own, built in and
/// signed by `canonical` (`asserts.BuiltinBaseDeclaration`), so a store serves none; snapdepot reads
/// and verifies one as snapd's database does, for the rules' shape only.
public struct BaseDeclaration: Sendable {
    public let assertion: Assertion
    public let plugs: [String: HeaderValue]
    public let slots: [String: HeaderValue]
    public let timestamp: Timestamp

    public init(_ assertion: Assertion) throws(AssertionError) {
        let checks = HeaderChecks(assertion.headers)
        plugs = try checks.optionalMap("plugs") ?? [:]
        slots = try checks.optionalMap("slots") ?? [:]
        timestamp = try checks.date("timestamp")
        self.assertion = assertion
    }

    public var series: String { assertion.string("series") }
}

extension AssertionType {
    public static let baseDeclaration: AssertionType = AssertionType(
        name: "base-declaration", primaryKey: ["series"],
        validate: { assertion throws(AssertionError) in _ = try BaseDeclaration(assertion) })
}
