/// One kind of assertion: its primary key, whether it has an authority, the newest format understood,
/// and the rules snapd applies to it (`asserts/asserts.go` type table plus each type's file).
public struct AssertionType: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public let primaryKey: [String]
    /// Optional trailing primary-key headers and their defaults (snap-revision's `provenance`).
    public let optionalPrimaryKeyDefaults: [String: String]
    /// False for device-signed types (`serial-request`, `device-session-request`).
    public let hasAuthority: Bool
    public let isSequenceForming: Bool
    public let maxSupportedFormat: Int

    /// The header rules checked when an assertion of this type is decoded or signed.
    let validate: @Sendable (Assertion) throws(AssertionError) -> Void
    /// The rules checked against other assertions when one is added to a trust database.
    let checkConsistency: @Sendable (Assertion, TrustDatabase) throws(AssertionError) -> Void
    /// The assertions that must be in a database before this one (signing key aside).
    let prerequisites: @Sendable (Assertion) -> [AssertionReference]
    /// The lowest format that can carry these headers (snap-declaration rules need format ≥ 1).
    let minimumFormat: @Sendable (Headers) throws(AssertionError) -> Int

    init(
        name: String,
        primaryKey: [String],
        optionalPrimaryKeyDefaults: [String: String] = [:],
        hasAuthority: Bool = true,
        isSequenceForming: Bool = false,
        maxSupportedFormat: Int = 0,
        validate: @escaping @Sendable (Assertion) throws(AssertionError) -> Void,
        checkConsistency: @escaping @Sendable (Assertion, TrustDatabase) throws(AssertionError) -> Void = { _, _ in },
        prerequisites: @escaping @Sendable (Assertion) -> [AssertionReference] = { _ in [] },
        minimumFormat: @escaping @Sendable (Headers) throws(AssertionError) -> Int = { _ in 0 }
    ) {
        self.name = name
        self.primaryKey = primaryKey
        self.optionalPrimaryKeyDefaults = optionalPrimaryKeyDefaults
        self.hasAuthority = hasAuthority
        self.isSequenceForming = isSequenceForming
        self.maxSupportedFormat = maxSupportedFormat
        self.validate = validate
        self.checkConsistency = checkConsistency
        self.prerequisites = prerequisites
        self.minimumFormat = minimumFormat
    }

    public static func == (left: AssertionType, right: AssertionType) -> Bool { left.name == right.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
    public var description: String { name }

    /// Every type snapdepot understands.
    public static let all: [AssertionType] = [
        .account, .accountKey, .snapDeclaration, .snapRevision, .model, .serial, .serialRequest,
        .deviceSessionRequest, .validationSet, .store, .systemUser, .snapDeveloper, .repair, .accountKeyRequest,
        .baseDeclaration,
    ]

    public static func named(_ name: String) -> AssertionType? {
        all.first { $0.name == name }
    }

    /// The primary key with omitted optional trailing values filled with their defaults.
    public func fullPrimaryKey(_ values: [String]) -> [String]? {
        let optionalCount = optionalPrimaryKeyDefaults.count
        guard values.count <= primaryKey.count, values.count >= primaryKey.count - optionalCount else { return nil }
        return primaryKey.indices.map { index in
            index < values.count ? values[index] : (optionalPrimaryKeyDefaults[primaryKey[index]] ?? "")
        }
    }
}

/// Names one assertion by type and primary key, like snapd's `asserts.Ref`.
public struct AssertionReference: Sendable, Hashable, CustomStringConvertible {
    public let type: AssertionType
    public let primaryKey: [String]

    public init(_ type: AssertionType, _ primaryKey: [String]) {
        self.type = type
        self.primaryKey = type.fullPrimaryKey(primaryKey) ?? primaryKey
    }

    /// `type/key/...` with trailing default optional keys left out, as the assertion service's paths are.
    public var path: String {
        var key = primaryKey
        while let last = key.last, key.count > type.primaryKey.count - type.optionalPrimaryKeyDefaults.count,
            type.optionalPrimaryKeyDefaults[type.primaryKey[key.count - 1]] == last
        {
            key.removeLast()
        }
        return ([type.name] + key).joined(separator: "/")
    }

    /// snapd's wording: `snap-declaration (snap-id; series:16)`.
    public var description: String {
        guard !primaryKey.isEmpty else { return "\(type.name) (-)" }
        let mandatory = type.primaryKey.count - type.optionalPrimaryKeyDefaults.count
        var parts = [primaryKey[mandatory - 1] + (type.primaryKey.count > 1 ? ";" : "")]
        for index in 0..<(mandatory - 1) {
            parts.append("\(type.primaryKey[index]):\(primaryKey[index])")
        }
        for index in mandatory..<primaryKey.count
        where primaryKey[index] != type.optionalPrimaryKeyDefaults[type.primaryKey[index]] {
            parts.append("\(type.primaryKey[index]):\(primaryKey[index])")
        }
        return "\(type.name) (\(parts.joined(separator: " ")))"
    }
}
