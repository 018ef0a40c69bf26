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
