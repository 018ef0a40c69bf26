/// A snapcraft login: the root macaroon's identifier names it; the third-party caveat's id and key
/// let the store check the discharge Ubuntu One (here: the store itself) gave for it.
public struct PublisherSession: Sendable, Equatable {
    public let id: String
    public let caveatID: String
    public let caveatKey: [UInt8]
    /// Set once the discharge was given, to the account whose credentials were checked.
    public var accountID: String?
    public let permissions: [String]
    public let description: String
    public let expiresAt: Int64
    public let createdAt: Int64

    public init(
        id: String, caveatID: String, caveatKey: [UInt8], accountID: String?, permissions: [String],
        description: String, expiresAt: Int64, createdAt: Int64
    ) {
        self.id = id
        self.caveatID = caveatID
        self.caveatKey = caveatKey
        self.accountID = accountID
        self.permissions = permissions
        self.description = description
        self.expiresAt = expiresAt
        self.createdAt = createdAt
    }
}

/// What a publisher may keep about a name besides its revisions (snapcraft `upload-metadata`).
public struct SnapListing: Sendable, Codable, Equatable {
    public var title: String?
    public var summary: String?
    public var description: String?
    public var license: String?

    public init(title: String? = nil, summary: String? = nil, description: String? = nil, license: String? = nil) {
        self.title = title
        self.summary = summary
        self.description = description
        self.license = license
    }
}
