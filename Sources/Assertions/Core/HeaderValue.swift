/// A header value as snapd's format has it: every scalar is a string; lists and maps nest.
public enum HeaderValue: Sendable, Hashable {
    case string(String)
    case list([HeaderValue])
    case map([String: HeaderValue])

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var listValue: [HeaderValue]? {
        if case .list(let value) = self { return value }
        return nil
    }

    public var mapValue: [String: HeaderValue]? {
        if case .map(let value) = self { return value }
        return nil
    }

    /// snapd omits empty lists and maps when encoding, so they carry no information.
    var isOmittedWhenEncoded: Bool {
        switch self {
        case .string: false
        case .list(let items): items.isEmpty
        case .map(let entries): entries.isEmpty
        }
    }
}

extension HeaderValue: ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) {
        self = .string(value)
    }

    public init(arrayLiteral elements: HeaderValue...) {
        self = .list(elements)
    }

    public init(dictionaryLiteral elements: (String, HeaderValue)...) {
        self = .map(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

public typealias Headers = [String: HeaderValue]
