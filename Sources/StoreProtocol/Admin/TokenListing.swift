/// One token as `GET /admin/v1/tokens` lists it: by id (the start of its hash), never the token.
public struct TokenListing: Codable, Sendable, Equatable {
    public let id: String
    public let role: String
    public let accountID: String?
    public let description: String
    public let createdAt: String
    public let expiresAt: String?

    public init(
        id: String, role: String, accountID: String?, description: String, createdAt: String, expiresAt: String?
    ) {
        self.id = id
        self.role = role
        self.accountID = accountID
        self.description = description
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
