/// Who is asking: the admin, a publisher, or nobody.
public struct Principal: Sendable, Equatable {
    public let role: Role
    public let accountID: String?
    /// A snapcraft login's caveats; tokens are unlimited.
    public let limits: LoginLimits

    public static let admin = Principal(role: .admin, accountID: nil)

    public init(role: Role, accountID: String?, limits: LoginLimits = .unlimited) {
        self.role = role
        self.accountID = accountID
        self.limits = limits
    }

    public var isAdmin: Bool { role == .admin }

    /// The admin may act for anyone; a publisher only for itself, and a limited login only with
    /// `permission` (account-wide changes: `package_manage`).
    func requireActing(for accountID: String, _ permission: LoginLimits.Permission = .manage) throws(StoreError) {
        guard isAdmin || self.accountID == accountID else {
            throw StoreError(.forbidden, "this token cannot act for account \(accountID)")
        }
        try limits.require(permission)
    }

    func requireAdmin() throws(StoreError) {
        guard isAdmin else { throw StoreError(.forbidden, "this action needs the admin token") }
    }
}
