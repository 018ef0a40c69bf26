import DepotCrypto

/// The typed reads of header values that every assertion type uses, with snapd's own wording
/// (`asserts/header_checks.go`), over the top-level headers or a nested map.
struct HeaderChecks {
    let values: Headers
    /// "header" at the top level; "of snap \"x\"" and the like inside nested maps.
    let what: String

    init(_ values: Headers, what: String = "header") {
        self.values = values
        self.what = what
    }

    func has(_ name: String) -> Bool {
        values[name] != nil
    }

    func existingString(_ name: String) throws(AssertionError) -> String {
        guard let value = values[name] else {
            throw AssertionError(.invalid, "\"\(name)\" \(what) is mandatory")
        }
        guard let text = value.stringValue else {
            throw AssertionError(.invalid, "\"\(name)\" \(what) must be a string")
        }
        return text
    }

    func notEmptyString(_ name: String) throws(AssertionError) -> String {
        let text = try existingString(name)
        guard !text.isEmpty else {
            throw AssertionError(.invalid, "\"\(name)\" \(what) should not be empty")
        }
        return text
    }

    func optionalString(_ name: String) throws(AssertionError) -> String? {
        guard let value = values[name] else { return nil }
        guard let text = value.stringValue else {
            throw AssertionError(.invalid, "\"\(name)\" \(what) must be a string")
        }
        return text
    }

    func string(_ name: String, matching rule: NameRule) throws(AssertionError) -> String {
        let text = try notEmptyString(name)
        guard rule.matches(text) else {
            throw AssertionError(
                .invalid, "\"\(name)\" \(what) contains invalid characters: \(HeaderParser.quoted(text))")
        }
        return text
    }

    func integer(_ name: String) throws(AssertionError) -> Int {
        let text = try notEmptyString(name)
        return try Self.parseInteger(text, which: "\"\(name)\" \(what)")
    }

    func integer(_ name: String, default fallback: Int) throws(AssertionError) -> Int {
        guard let value = values[name] else { return fallback }
        guard let text = value.stringValue else {
            throw AssertionError(.invalid, "\"\(name)\" header is not an integer: \(Self.describe(value))")
        }
        return try Self.parseInteger(text, which: "\"\(name)\" \(what)")
    }

    /// A snap revision: an integer of at least 1.
    func snapRevision(_ name: String) throws(AssertionError) -> Int {
        let revision = try integer(name)
        guard revision >= 1 else {
            throw AssertionError(.invalid, "\"\(name)\" \(what) must be >=1: \(revision)")
        }
        return revision
    }

    func unsignedInteger(_ name: String) throws(AssertionError) -> UInt64 {
        let text = try notEmptyString(name)
        guard text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw AssertionError(.invalid, "\"\(name)\" header is not an unsigned integer: \(text)")
        }
        guard let value = UInt64(text) else {
            throw AssertionError(.invalid, "\"\(name)\" header is out of range: \(text)")
        }
        if text.hasPrefix("0") && text != "0" {
            throw AssertionError(.invalid, "\"\(name)\" header has invalid prefix zeros: \(text)")
        }
        return value
    }

    func date(_ name: String) throws(AssertionError) -> Timestamp {
        let text = try notEmptyString(name)
        guard let date = Timestamp.parse(text) else {
            throw AssertionError(.invalid, "\"\(name)\" \(what) is not a RFC3339 date: \(HeaderParser.quoted(text))")
        }
        return date
    }

    func optionalDate(_ name: String) throws(AssertionError) -> Timestamp? {
        guard let value = values[name] else { return nil }
        guard let text = value.stringValue else {
            throw AssertionError(.invalid, "\"\(name)\" \(what) must be a string")
        }
        guard let date = Timestamp.parse(text) else {
            throw AssertionError(.invalid, "\"\(name)\" \(what) is not a RFC3339 date: \(HeaderParser.quoted(text))")
        }
        return date
    }

    /// A SHA3-384 digest in base64url without padding.
    func digest(_ name: String) throws(AssertionError) -> [UInt8] {
        let text = try notEmptyString(name)
        guard let bytes = Base64.decode(Array(text.utf8), alphabet: .urlSafe, padding: false),
            !text.utf8.contains(UInt8(ascii: "\n")), !text.utf8.contains(UInt8(ascii: "\r"))
        else {
            throw AssertionError(.invalid, "\"\(name)\" header cannot be decoded: illegal base64 data")
        }
        guard bytes.count == 48 else {
            throw AssertionError(
                .invalid, "\"\(name)\" header does not have the expected bit length: \(bytes.count * 8)")
        }
        return bytes
    }

    func optionalBool(_ name: String) throws(AssertionError) -> Bool {
        guard let value = values[name] else { return false }
        guard let text = value.stringValue, text == "true" || text == "false" else {
            throw AssertionError(.invalid, "\"\(name)\" header must be 'true' or 'false'")
        }
        return text == "true"
    }

    func optionalMap(_ name: String) throws(AssertionError) -> [String: HeaderValue]? {
        guard let value = values[name] else { return nil }
        guard let map = value.mapValue else {
            throw AssertionError(.invalid, "\"\(name)\" \(what) must be a map")
        }
        return map
    }

    /// A list of strings; an absent header is an empty list. `description` names it in errors.
    func stringList(_ name: String, matching rule: NameRule? = nil, description: String? = nil)
        throws(AssertionError) -> [String]
    {
        let which = description ?? "\"\(name)\" header"
        guard let value = values[name] else { return [] }
        guard let items = value.listValue else {
            throw AssertionError(.invalid, "\(which) must be a list of strings")
        }
        var result: [String] = []
        for item in items {
            guard let text = item.stringValue else {
                throw AssertionError(.invalid, "\(which) must be a list of strings")
            }
            if let rule, !rule.matches(text) {
                throw AssertionError(.invalid, "\(which) contains an invalid element: \(HeaderParser.quoted(text))")
            }
            result.append(text)
        }
        return result
    }

    /// Go's `strconv.Atoi` plus snapd's refusal of leading zeros.
    static func parseInteger(_ text: String, which: String) throws(AssertionError) -> Int {
        var digits = Substring(text)
        var negative = false
        if let sign = digits.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw AssertionError(.invalid, "\(which) is not an integer: \(text)")
        }
        guard let magnitude = Int(digits) else {
            throw AssertionError(.invalid, "\(which) is out of range: \(text)")
        }
        if text.hasPrefix("0") && text != "0" {
            throw AssertionError(.invalid, "\(which) has invalid prefix zeros: \(text)")
        }
        return negative ? -magnitude : magnitude
    }

    static func describe(_ value: HeaderValue) -> String {
        switch value {
        case .string(let text): text
        case .list(let items): "[" + items.map(describe).joined(separator: " ") + "]"
        case .map(let entries):
            "map["
                + entries.keys.sorted().map { "\($0):\(describe(entries[$0] ?? .string("")))" }.joined(separator: " ")
                + "]"
        }
    }
}
