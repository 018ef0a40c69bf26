import Assertions
import Yams

/// Reads assertion headers written as JSON or YAML (JSON is read as YAML): scalars keep the text as
/// written, so `series: 16` and `"series": 16` both give the string "16"; a top-level `body` string
/// becomes the assertion body, as with `snap sign`.
enum HeaderInput {
    static func parse(_ text: String) throws -> (headers: Headers, body: [UInt8]) {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw CLIError("cannot parse the assertion input as JSON or YAML: \(error)")
        }
        guard let node, case .mapping(let mapping) = node else {
            throw CLIError("the assertion input must be a map of header names to values")
        }
        var headers: Headers = [:]
        var body: [UInt8] = []
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.scalar?.string else { throw CLIError("header names must be strings") }
            if key == "body" {
                guard let text = valueNode.scalar?.string else { throw CLIError("body if specified must be a string") }
                body = Array(text.utf8)
                continue
            }
            guard headers[key] == nil else { throw CLIError("header \"\(key)\" is given twice") }
            headers[key] = try value(valueNode, path: key)
        }
        return (headers, body)
    }

    private static func value(_ node: Node, path: String) throws -> HeaderValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                throw CLIError("header \"\(path)\" has no value: write an empty string as \"\"")
            }
            return .string(scalar.string)
        case .sequence(let sequence):
            return .list(try sequence.enumerated().map { try value($1, path: "\(path)[\($0)]") })
        case .mapping(let mapping):
            var entries: [String: HeaderValue] = [:]
            for (keyNode, valueNode) in mapping {
                guard let key = keyNode.scalar?.string else {
                    throw CLIError("map keys in \"\(path)\" must be strings")
                }
                entries[key] = try value(valueNode, path: "\(path).\(key)")
            }
            return .map(entries)
        case .alias:
            throw CLIError("YAML aliases are not supported in \"\(path)\"")
        }
    }
}
