/// Size limits of snapd's decoder (`asserts.MaxHeadersSize` and friends).
public enum AssertionLimits {
    public static let maxHeadersSize = 128 * 1024
    public static let maxBodySize = 2 * 1024 * 1024
    public static let maxSignatureSize = 128 * 1024
}

extension Assertion {
    /// Decodes one assertion (snapd's `asserts.Decode`): the signature follows the last blank line.
    public static func decode(_ bytes: [UInt8]) throws(AssertionError) -> Assertion {
        guard let split = lastRange(of: separator, in: bytes[...]) else {
            throw AssertionError(.format, "assertion content/signature separator not found")
        }
        let content = Array(bytes[..<split])
        let signature = Array(bytes[(split + 2)...])
        let head: ArraySlice<UInt8>
        var body: [UInt8] = []
        if let headEnd = firstRange(of: separator, in: content[...]) {
            head = content[..<headEnd]
            body = Array(content[(headEnd + 2)...])
        } else {
            head = content[...]
        }
        let headers: Headers
        do {
            headers = try HeaderParser.parse(head)
        } catch {
            throw error.prefixed("parsing assertion headers")
        }
        return try assemble(headers: headers, body: body, content: content, signature: signature)
    }

    public static func decode(_ text: String) throws(AssertionError) -> Assertion {
        try decode(Array(text.utf8))
    }

    /// snapd's `assemble`: the checks common to every type, then the type's own.
    static func assemble(headers: Headers, body: [UInt8], content: [UInt8], signature: [UInt8])
        throws(AssertionError) -> Assertion
    {
        let checks = HeaderChecks(headers)
        let length = try prefixed("assertion") { () throws(AssertionError) in
            try checks.integer("body-length", default: 0)
        }
        guard length == body.count else {
            throw AssertionError(
                .format, "assertion body length and declared body-length don't match: \(body.count) != \(length)")
        }
        guard String(validating: body, as: UTF8.self) != nil else {
            throw AssertionError(.format, "assertion body is not utf8")
        }
        _ = try prefixed("assertion") { () throws(AssertionError) in try checks.digest("sign-key-sha3-384") }
        let typeName = try prefixed("assertion") { () throws(AssertionError) in try checks.notEmptyString("type") }
        guard let type = AssertionType.named(typeName) else {
            throw AssertionError(.invalid, "unknown assertion type: \(HeaderParser.quoted(typeName))")
        }
        if type.hasAuthority {
            _ = try prefixed("assertion") { () throws(AssertionError) in try checks.notEmptyString("authority-id") }
        } else if headers["authority-id"] != nil {
            throw AssertionError(.invalid, "\"\(type.name)\" assertion cannot have authority-id set")
        }
        let format = try prefixed("assertion") { () throws(AssertionError) in
            try nonNegative("format", try checks.integer("format", default: 0))
        }
        var effective = headers
        for key in type.primaryKey {
            if effective[key] == nil, let fallback = type.optionalPrimaryKeyDefaults[key] {
                effective[key] = .string(fallback)
            }
            try prefixed("assertion \(type.name)") { () throws(AssertionError) in
                _ = try HeaderChecks(effective).primaryKeyValue(key)
            }
        }
        let revision = try prefixed("assertion") { () throws(AssertionError) in
            try nonNegative("revision", try checks.integer("revision", default: 0))
        }
        guard !signature.isEmpty else {
            throw AssertionError(.format, "empty assertion signature")
        }
        let assertion = Assertion(
            type: type, headers: headers, body: body, content: content, signature: signature, format: format,
            revision: revision)
        try prefixed("assertion \(type.name)") { () throws(AssertionError) in try type.validate(assertion) }
        return assertion
    }

    private static func nonNegative(_ name: String, _ value: Int) throws(AssertionError) -> Int {
        guard value >= 0 else { throw AssertionError(.invalid, "\(name) should be positive: \(value)") }
        return value
    }

    static let separator: [UInt8] = [0x0a, 0x0a]

    static func firstRange(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        while index <= haystack.endIndex - needle.count {
            if haystack[index] == needle[0] && haystack[index + 1] == needle[1] { return index }
            index += 1
        }
        return nil
    }

    static func lastRange(of needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = haystack.endIndex - needle.count
        while index >= haystack.startIndex {
            if haystack[index] == needle[0] && haystack[index + 1] == needle[1] { return index }
            index -= 1
        }
        return nil
    }
}

extension HeaderChecks {
    func primaryKeyValue(_ name: String) throws(AssertionError) -> String {
        let value = try notEmptyString(name)
        guard !value.contains("/") else {
            throw AssertionError(.invalid, "\"\(name)\" primary key header cannot contain '/'")
        }
        return value
    }
}

/// Runs a check and puts `prefix: ` before its error message, as snapd wraps errors.
func prefixed<T>(_ prefix: String, _ body: () throws(AssertionError) -> T) throws(AssertionError) -> T {
    do {
        return try body()
    } catch {
        throw error.prefixed(prefix)
    }
}
