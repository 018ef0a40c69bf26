/// A decoded or freshly signed assertion: its headers as written, its body, and the exact
/// signed content and signature bytes, so that it can be served again byte for byte.
public struct Assertion: Sendable, Hashable, CustomStringConvertible {
    public let type: AssertionType
    /// The headers as they appear in the text (optional primary keys are not filled in here).
    public let headers: Headers
    public let body: [UInt8]
    /// Everything the signature covers: the header block and, when present, "\n\n" and the body.
    public let content: [UInt8]
    /// The signature block as written (base64 lines), including its trailing newline when present.
    public let signature: [UInt8]
    public let format: Int
    public let revision: Int

    init(
        type: AssertionType, headers: Headers, body: [UInt8], content: [UInt8], signature: [UInt8], format: Int,
        revision: Int
    ) {
        self.type = type
        self.headers = headers
        self.body = body
        self.content = content
        self.signature = signature
        self.format = format
        self.revision = revision
    }

    public static func == (left: Assertion, right: Assertion) -> Bool {
        left.content == right.content && left.signature == right.signature
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(content)
        hasher.combine(signature)
    }

    /// The assertion in snapd's text form: content, a blank line, the signature.
    public var encoded: [UInt8] {
        content + [0x0a, 0x0a] + signature
    }

    public var encodedText: String {
        String(decoding: encoded, as: UTF8.self)
    }

    public var description: String { reference.description }

    /// A header value; optional primary keys that were left out read as their default.
    public func header(_ name: String) -> HeaderValue? {
        if let value = headers[name] { return value }
        return type.optionalPrimaryKeyDefaults[name].map { .string($0) }
    }

    /// A string header, or "" when absent or not a string (snapd's `HeaderString`).
    public func string(_ name: String) -> String {
        header(name)?.stringValue ?? ""
    }

    public var authorityID: String { string("authority-id") }
    public var signKeyID: String { string("sign-key-sha3-384") }
    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    public var primaryKey: [String] {
        type.primaryKey.map { string($0) }
    }

    public var reference: AssertionReference {
        AssertionReference(type, primaryKey)
    }

    /// The `timestamp` header of types that have one.
    public var timestamp: Timestamp? {
        Timestamp.parse(string("timestamp"))
    }

    /// The headers that, given to the signer, reproduce this assertion's content: the signer writes an
    /// optional primary key it was not given among the other headers, and leaves out one given with
    /// its default value, so presence in the text tells which case it was.
    public var signingHeaders: Headers {
        var result = headers
        for (name, fallback) in type.optionalPrimaryKeyDefaults {
            if result[name]?.stringValue == fallback {
                result[name] = nil
            } else if result[name] == nil {
                result[name] = .string(fallback)
            }
        }
        return result
    }
}
