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
        /// A part of the store this installation lacks (a program it runs), not the request's fault.
        case unavailable = "unavailable"
    }

    public let kind: Kind
    public let message: String
    /// The `error-list` code where a client looks for a more precise one than the kind's
    /// (snapd's `snap-not-found`); nil for the kind's own.
    public let code: String?

    public init(_ kind: Kind, _ message: String, code: String? = nil) {
        self.kind = kind
        self.message = message
        self.code = code
    }

    public var description: String { message }
}
