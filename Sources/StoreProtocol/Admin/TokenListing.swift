/// One token or snapcraft login as `GET /admin/v1/tokens` lists it: by id (the start of its
/// hash), never the credential.
public struct TokenListing: Codable, Sendable, Equatable {
    public let id: String
    /// `token` (the admin's and `accounts token`'s) or `login` (snapcraft's macaroons).
    public let kind: String
    public let role: String
    public let accountID: String?
    public let description: String
    public let createdAt: String
    public let expiresAt: String?

    public init(
        id: String, kind: String, role: String, accountID: String?, description: String, createdAt: String,
        expiresAt: String?
    ) {
        self.id = id
        self.kind = kind
        self.role = role
        self.accountID = accountID
        self.description = description
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
