/// A failure of a store operation, in words for the person who asked, with the kind the HTTP
/// layer maps to a status code and an `error-list` code.
public struct StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        case invalid = "invalid-request"
        case unauthorized = "unauthorized"
        case forbidden = "forbidden"
        case notFound = "not-found"
        case conflict = "conflict"
        case tooLarge = "too-large"
        case internalError = "internal-error"
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

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
