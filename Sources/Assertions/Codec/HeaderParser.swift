/// Parses the header block of an assertion exactly as snapd's `asserts/headers.go` does,
/// working on UTF-8 bytes so that prefix checks match Go's byte semantics.
enum HeaderParser {
    private static let commonPrefix: [UInt8] = Array("  ".utf8)
    private static let multilinePrefix: [UInt8] = Array("    ".utf8)
    private static let listPrefix: [UInt8] = Array("  -".utf8)
    private static let colon = UInt8(ascii: ":")
    private static let space = UInt8(ascii: " ")
    private static let dash = UInt8(ascii: "-")

    typealias Line = ArraySlice<UInt8>

    static func parse(_ head: ArraySlice<UInt8>) throws(AssertionError) -> Headers {
        guard String(validating: head, as: UTF8.self) != nil else {
            throw AssertionError(.format, "header is not utf8")
        }
        let lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var headers: Headers = [:]
        var index = 0
        while index < lines.count {
            let entry = lines[index]
            guard let split = entry.firstIndex(of: colon) else {
                throw AssertionError(.format, "header entry missing ':' separator: \(quoted(entry))")
            }
            let name = entry[entry.startIndex..<split]
            guard HeaderName.isValid(name) else {
                throw AssertionError(.format, "invalid header name: \(quoted(name))")
            }
            let (value, next) = try parseEntry(
                consumed: split - entry.startIndex + 1, first: index, lines, baseIndent: 0)
            let key = string(name)
            if headers[key] != nil {
                throw AssertionError(.format, "repeated header: \(quoted(name))")
            }
            headers[key] = value
            index = next
        }
        return headers
    }

    private static func parseEntry(consumed: Int, first: Int, _ lines: [Line], baseIndent: Int) throws(AssertionError)
        -> (HeaderValue, Int)
    {
        let entry = lines[first]
        let next = first + 1
        if consumed == entry.count {
            let basePrefix = indent(baseIndent) + commonPrefix
            if next < lines.count, lines[next].starts(with: basePrefix) {
                let rest = lines[next].dropFirst(basePrefix.count)
                if rest.first == dash {
                    return try parseList(first: next, lines, baseIndent: baseIndent)
                }
                if let first = rest.first, first != space {
                    return try parseMap(first: next, lines, baseIndent: baseIndent)
                }
            }
            return try parseMultilineText(first: next, lines, baseIndent: baseIndent)
        }
        let valueStart = entry.startIndex + consumed
        guard entry[valueStart] == space else {
            throw AssertionError(
                .format, "header entry should have a space or newline (for multiline) before value: \(quoted(entry))")
        }
        return (.string(string(entry[(valueStart + 1)...])), next)
    }

    private static func parseMultilineText(first: Int, _ lines: [Line], baseIndent: Int) throws(AssertionError)
        -> (HeaderValue, Int)
    {
        let prefix = indent(baseIndent) + multilinePrefix
        var end = first
        while end < lines.count, lines[end].starts(with: prefix) {
            end += 1
        }
        if end == first {
            let current = first == lines.count ? "EOF" : quoted(lines[first])
            throw AssertionError(
                .format,
                "expected \(prefix.count) chars nesting prefix after multiline introduction \(quoted(lines[first - 1])): \(current)"
            )
        }
        var value: [UInt8] = []
        for index in first..<end {
            if index > first { value.append(UInt8(ascii: "\n")) }
            value.append(contentsOf: lines[index].dropFirst(prefix.count))
        }
        return (.string(String(decoding: value, as: UTF8.self)), end)
    }

    private static func parseList(first: Int, _ lines: [Line], baseIndent: Int) throws(AssertionError)
        -> (HeaderValue, Int)
    {
        var items: [HeaderValue] = []
        var index = first
        let prefix = indent(baseIndent) + listPrefix
        while index < lines.count {
            guard lines[index].starts(with: prefix) else { break }
            let (item, next) = try parseEntry(
                consumed: prefix.count, first: index, lines, baseIndent: baseIndent + listPrefix.count - 1)
            items.append(item)
            index = next
        }
        return (.list(items), index)
    }

    private static func parseMap(first: Int, _ lines: [Line], baseIndent: Int) throws(AssertionError)
        -> (HeaderValue, Int)
    {
        var entries: [String: HeaderValue] = [:]
        var index = first
        let prefix = indent(baseIndent) + commonPrefix
        while index < lines.count {
            guard lines[index].starts(with: prefix) else { break }
            let entry = lines[index].dropFirst(prefix.count)
            guard let split = entry.firstIndex(of: colon) else {
                throw AssertionError(.format, "map entry missing ':' separator: \(quoted(entry))")
            }
            let key = entry[entry.startIndex..<split]
            guard HeaderName.isValid(key) else {
                throw AssertionError(.format, "invalid map entry key: \(quoted(key))")
            }
            let consumed = prefix.count + (split - entry.startIndex) + 1
            let (value, next) = try parseEntry(consumed: consumed, first: index, lines, baseIndent: prefix.count)
            let name = string(key)
            if entries[name] != nil {
                throw AssertionError(.format, "repeated map entry: \(quoted(key))")
            }
            entries[name] = value
            index = next
        }
        return (.map(entries), index)
    }

    private static func indent(_ count: Int) -> [UInt8] {
        [UInt8](repeating: space, count: count)
    }

    private static func string(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    static func quoted(_ bytes: ArraySlice<UInt8>) -> String {
        quoted(string(bytes.prefix(200)))
    }

    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    result += "\\x" + String(scalar.value, radix: 16)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}

/// Header and map-key names: `^[a-z](?:-?[a-z0-9])*$` (snapd `headerNameValidity`).
enum HeaderName {
    static func isValid<Bytes: Collection>(_ name: Bytes) -> Bool where Bytes.Element == UInt8 {
        var previous: UInt8 = 0
        for (offset, byte) in name.enumerated() {
            let lower = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
            let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            if offset == 0 {
                guard lower else { return false }
            } else if byte == UInt8(ascii: "-") {
                guard previous != UInt8(ascii: "-") else { return false }
            } else {
                guard lower || digit else { return false }
            }
            previous = byte
        }
        return !name.isEmpty && previous != UInt8(ascii: "-")
    }

    static func isValid(_ name: String) -> Bool {
        isValid(Array(name.utf8))
    }
}
