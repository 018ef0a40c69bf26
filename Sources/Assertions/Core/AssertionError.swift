/// Why an assertion could not be decoded, signed, or accepted, in words a person can act on.
public struct AssertionError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// The bytes are not a well-formed assertion.
        case format
        /// Well-formed, but its headers break the rules of its type.
        case invalid
        /// The signature or the signing key does not check out.
        case signature
        /// A trust rule failed: unknown key, untrusted authority, missing prerequisite, validity window.
        case trust
        /// The signing request itself is wrong.
        case signing
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    func prefixed(_ prefix: String) -> AssertionError {
        AssertionError(kind, "\(prefix): \(message)")
    }
}
