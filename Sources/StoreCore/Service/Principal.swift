/// Who is asking: the admin, a publisher, or nobody.
public struct Principal: Sendable, Equatable {
    public let role: Role
    public let accountID: String?

    public static let admin = Principal(role: .admin, accountID: nil)

    public init(role: Role, accountID: String?) {
        self.role = role
        self.accountID = accountID
    }

    public var isAdmin: Bool { role == .admin }

    /// The admin may act for anyone; a publisher only for itself.
    func requireActing(for accountID: String) throws(StoreError) {
        guard isAdmin || self.accountID == accountID else {
            throw StoreError(.forbidden, "this token cannot act for account \(accountID)")
        }
    }

    func requireAdmin() throws(StoreError) {
        guard isAdmin else { throw StoreError(.forbidden, "this action needs the admin token") }
    }
}
