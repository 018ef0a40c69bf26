/// A strict JSON reader for the store's hottest request body, snapd's snap-action request.
///
/// Foundation's `JSONDecoder` goes through generic Codable containers whose metadata is looked up
/// at run time for every nested value; on a refresh for twenty snaps that was a third of the
/// server's time (docs/performance.md). This reads the bytes once into a small tree. It is an
/// accelerator, not a second decoder: whatever it does not accept, the caller decodes again with
/// `JSONDecoder`, whose answer (or error message) is then the one given.
public enum JSONReader {
    public enum Value: Sendable {
        case null
        case bool(Bool)
        /// A number without fraction or exponent that fits an `Int`: the only numbers a
        /// snap-action request has (others are refused).
        case integer(Int)
        case string(String)
        case array([Value])
        /// Members in the order written; objects on this path hold a handful of keys.
        case object([(String, Value)])

        /// The member named `key` of an object; nil for a missing key, null, or not an object.
        public subscript(key: String) -> Value? {
            guard case .object(let members) = self, let value = members.first(where: { $0.0 == key })?.1 else {
                return nil
            }
            if case .null = value { return nil }
            return value
        }
    }

    /// What the reader refused; the caller falls back to `JSONDecoder` for the message.
    public struct Refusal: Error {}

    /// Nesting deeper than this is refused, so hostile input cannot exhaust the stack.
    static let maximumDepth = 64

    public static func read(_ bytes: some Collection<UInt8>) throws(Refusal) -> Value {
        let result: Result<Value, Refusal>? = bytes.withContiguousStorageIfAvailable { buffer in
            var parser = Parser(bytes: buffer)
            do throws(Refusal) {
                let value = try parser.value(depth: 0)
                parser.skipSpace()
                guard parser.index == buffer.count else { throw Refusal() }
                return .success(value)
            } catch {
                return .failure(error)
            }
        }
        guard let result else { return try read(Array(bytes)) }
        return try result.get()
    }

    private struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func skipSpace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x0A, 0x0D, 0x09: index += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Refusal) -> Value {
            skipSpace()
            guard index < bytes.count, depth < JSONReader.maximumDepth else { throw Refusal() }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try literal("true", .bool(true))
            case UInt8(ascii: "f"): return try literal("false", .bool(false))
            case UInt8(ascii: "n"): return try literal("null", .null)
            default: return try number()
            }
        }

        mutating func literal(_ word: StaticString, _ value: Value) throws(Refusal) -> Value {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count,
                UnsafeBufferPointer(start: word.utf8Start, count: count).elementsEqual(
                    bytes[index..<index + count])
            else { throw Refusal() }
            index += count
            return value
        }

        mutating func object(depth: Int) throws(Refusal) -> Value {
            index += 1
            var members: [(String, Value)] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw Refusal() }
                let key = try string()
                // Which of two equal keys counts is the decoder's choice: left to it.
                guard !members.contains(where: { $0.0 == key }) else { throw Refusal() }
                skipSpace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw Refusal() }
                index += 1
                members.append((key, try value(depth: depth + 1)))
                skipSpace()
                guard index < bytes.count else { throw Refusal() }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return .object(members)
                } else {
                    throw Refusal()
                }
            }
        }

        mutating func array(depth: Int) throws(Refusal) -> Value {
            index += 1
            var elements: [Value] = []
            skipSpace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                elements.append(try value(depth: depth + 1))
                skipSpace()
                guard index < bytes.count else { throw Refusal() }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                } else if bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return .array(elements)
                } else {
                    throw Refusal()
                }
            }
        }

        /// A string without escapes is the common case and is taken as it stands; one with
        /// escapes is refused, and `JSONDecoder` reads it.
        mutating func string() throws(Refusal) -> String {
            index += 1
            let start = index
            var ascii = true
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let slice = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    // ASCII is valid UTF-8 as it stands: only other text needs validating.
                    if ascii { return String(decoding: slice, as: UTF8.self) }
                    guard let text = String(validating: slice, as: UTF8.self) else { throw Refusal() }
                    return text
                }
                guard byte != UInt8(ascii: "\\"), byte >= 0x20 else { throw Refusal() }
                if byte >= 0x80 { ascii = false }
                index += 1
            }
            throw Refusal()
        }

        mutating func number() throws(Refusal) -> Value {
            let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
            if negative { index += 1 }
            let digits = index
            // Accumulated negatively, so that Int.min fits; overflow is a refusal, as a number
            // too large for an Int is the decoder's to word.
            var number = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                let (times10, over1) = number.multipliedReportingOverflow(by: 10)
                let (next, over2) = times10.subtractingReportingOverflow(Int(bytes[index] - UInt8(ascii: "0")))
                guard !over1, !over2 else { throw Refusal() }
                number = next
                index += 1
            }
            // JSON has no leading zeros and needs a digit; fractions and exponents never occur in
            // a snap-action request and are left to JSONDecoder.
            guard index > digits, bytes[digits] != UInt8(ascii: "0") || index == digits + 1 else { throw Refusal() }
            if index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): throw Refusal()
                default: break
                }
            }
            if negative { return .integer(number) }
            guard number != .min else { throw Refusal() }
            return .integer(-number)
        }
    }
}
