/// A brand's serial vault policy as `GET /admin/v1/accounts/{id}/vault-policy` shows it. The API key
/// is in the answer that made it and nowhere else.
public struct VaultPolicyListing: Codable, Sendable, Equatable {
    public let accountID: String
    /// `open`, `api-key` or `serials`.
    public let mode: String
    public let serials: [String]
    public let apiKey: String?
    public let summary: String

    public init(accountID: String, mode: String, serials: [String], apiKey: String?, summary: String) {
        self.accountID = accountID
        self.mode = mode
        self.serials = serials
        self.apiKey = apiKey
        self.summary = summary
    }
}

/// The body of `PUT /admin/v1/accounts/{id}/vault-policy`.
public struct VaultPolicyChange: Codable, Sendable, Equatable {
    public let mode: String
    public let serials: [String]?

    public init(mode: String, serials: [String]?) {
        self.mode = mode
        self.serials = serials
    }
}
