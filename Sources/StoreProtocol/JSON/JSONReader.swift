import Foundation

/// A strict, streaming JSON reader for the store's hottest request body, snapd's snap-action request.
///
/// Foundation's `JSONDecoder` goes through generic Codable containers whose metadata is looked up
/// at run time for every nested value; on a refresh for twenty snaps that was a third of the
/// server's time (docs/performance.md). A tree of the body cost half of what was left, so this reads
/// each value straight into its place: the caller asks for what it expects where it expects it,
/// and keys are compared as bytes, never made into strings. It is an accelerator, not a second
/// decoder: whatever it does not accept, the caller decodes again with `JSONDecoder`, whose answer
/// (or error message) is then the one given.
public struct JSONReader {
    /// What the reader refused; the caller falls back to `JSONDecoder` for the message.
    public struct Refusal: Error {}

    /// Nesting deeper than this is refused, so hostile input cannot exhaust the stack.
    static let maximumDepth = 64

    /// A member's name, still in the body's bytes.
    public struct Key {
        let bytes: UnsafeBufferPointer<UInt8>

        public static func ~= (name: StaticString, key: Key) -> Bool {
            name.utf8CodeUnitCount == key.bytes.count
                && (key.bytes.baseAddress.map { memcmp(name.utf8Start, $0, key.bytes.count) == 0 } ?? true)
        }

        /// The name as text (already checked to be UTF-8 without escapes).
        public var string: String { String(decoding: bytes, as: UTF8.self) }
    }

    /// What the next value is, by its first byte.
    public enum Kind {
        case object, array, string, number, bool, null
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    /// The keys of every object being read, innermost last: a repeated key is refused, as which of
    /// two counts is the decoder's choice.
    private var openKeys: [Range<Int>] = []

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        openKeys.reserveCapacity(32)
    }

    /// Reads the one value `body` is with `read`; anything `read` throws, or bytes after the
    /// value, is a refusal.
    public static func read<Value>(
        _ body: some Collection<UInt8>, _ read: (inout JSONReader) throws -> Value
    ) throws(Refusal) -> Value {
        let result: Result<Value, Refusal>? = body.withContiguousStorageIfAvailable { buffer in
            var reader = JSONReader(bytes: buffer)
            do {
                let value = try read(&reader)
                reader.skipSpace()
                guard reader.index == buffer.count else { return .failure(Refusal()) }
                return .success(value)
            } catch {
                return .failure(Refusal())
            }
        }
        guard let result else { return try Self.read(Array(body), read) }
        return try result.get()
    }

    /// The kind of the next value; a refusal at the end of the body.
    public mutating func kind() throws(Refusal) -> Kind {
        switch try next() {
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .bool
        case UInt8(ascii: "n"): .null
        default: .number
        }
    }

    /// Takes a `null` if one is next: the absent value of an optional member.
    public mutating func readNull() throws(Refusal) -> Bool {
        guard try next() == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    /// An object, handing each member's name to `member`, which reads the value; a value it leaves
    /// unread (an unknown member) is checked and skipped.
    public mutating func readObject(_ member: (inout JSONReader, Key) throws -> Void) throws {
        try open(UInt8(ascii: "{"))
        let keysBefore = openKeys.count
        defer { openKeys.removeSubrange(keysBefore...) }
        if try next() == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return
        }
        while true {
            guard try next() == UInt8(ascii: "\"") else { throw Refusal() }
            let range = try stringBytes()
            for earlier in openKeys[keysBefore...] where sameBytes(earlier, range) {
                throw Refusal()
            }
            openKeys.append(range)
            guard try next() == UInt8(ascii: ":") else { throw Refusal() }
            index += 1
            let valueStart = index
            try member(&self, Key(bytes: UnsafeBufferPointer(rebasing: bytes[range])))
            if index == valueStart { try skipValue() }
            if try closes(UInt8(ascii: "}")) { return }
        }
    }

    /// An array, each element read by `element`.
    public mutating func readArray<Element>(_ element: (inout JSONReader) throws -> Element) throws -> [Element] {
        try open(UInt8(ascii: "["))
        var elements: [Element] = []
        if try next() == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return elements
        }
        while true {
            elements.append(try element(&self))
            if try closes(UInt8(ascii: "]")) { return elements }
        }
    }

    /// A string without escapes is the common case and is taken as it stands; one with escapes is
    /// refused, and `JSONDecoder` reads it.
    public mutating func readString() throws(Refusal) -> String {
        guard try next() == UInt8(ascii: "\"") else { throw Refusal() }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[try stringBytes()]), as: UTF8.self)
    }

    public mutating func readBool() throws(Refusal) -> Bool {
        switch try next() {
        case UInt8(ascii: "t"):
            try literal("true")
            return true
        case UInt8(ascii: "f"):
            try literal("false")
            return false
        default: throw Refusal()
        }
    }

    /// A number without fraction or exponent that fits an `Int`: the only numbers a snap-action
    /// request has (others are refused).
    public mutating func readInteger() throws(Refusal) -> Int {
        _ = try next()
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let digits = index
        // Accumulated negatively, so that Int.min fits; overflow is a refusal, as a number too
        // large for an Int is the decoder's to word.
        var number = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let (times10, over1) = number.multipliedReportingOverflow(by: 10)
            let (next, over2) = times10.subtractingReportingOverflow(Int(bytes[index] - UInt8(ascii: "0")))
            guard !over1, !over2 else { throw Refusal() }
            number = next
            index += 1
        }
        // JSON has no leading zeros and needs a digit; fractions and exponents never occur in a
        // snap-action request and are left to JSONDecoder.
        guard index > digits, bytes[digits] != UInt8(ascii: "0") || index == digits + 1 else { throw Refusal() }
        if index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): throw Refusal()
            default: break
            }
        }
        if negative { return number }
        guard number != .min else { throw Refusal() }
        return -number
    }

    /// Checks the next value as the reader would read it, and passes over it.
    public mutating func skipValue() throws {
        switch try kind() {
        case .object: try readObject { _, _ in }
        case .array: _ = try readArray { try $0.skipValue() }
        case .string: _ = try stringBytes()
        case .number: _ = try readInteger()
        case .bool: _ = try readBool()
        case .null: try literal("null")
        }
    }

    /// The first byte of the next value or token, after any space; a refusal at the end.
    private mutating func next() throws(Refusal) -> UInt8 {
        skipSpace()
        guard index < bytes.count else { throw Refusal() }
        return bytes[index]
    }

    private mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func open(_ bracket: UInt8) throws(Refusal) {
        guard try next() == bracket, depth < Self.maximumDepth else { throw Refusal() }
        index += 1
        depth += 1
    }

    /// After a member or element: true at the closing `bracket`, false after a comma.
    private mutating func closes(_ bracket: UInt8) throws(Refusal) -> Bool {
        switch try next() {
        case UInt8(ascii: ","):
            index += 1
            return false
        case bracket:
            index += 1
            depth -= 1
            return true
        default:
            throw Refusal()
        }
    }

    private mutating func literal(_ word: StaticString) throws(Refusal) {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count,
            UnsafeBufferPointer(start: word.utf8Start, count: count).elementsEqual(bytes[index..<index + count])
        else { throw Refusal() }
        index += count
    }

    /// Whether eight bytes are all ASCII text a string holds as it stands: no quote, backslash,
    /// control character or byte of a longer UTF-8 sequence. The usual word-at-a-time tests (a byte
    /// is zero, or below a bound, where the word's high bits say so); each is exact for "any byte".
    static func isPlainText(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        func hasZeroByte(_ value: UInt64) -> Bool { (value &- ones) & ~value & highs != 0 }
        let control = (word &- ones &* 0x20) & ~word & highs != 0
        return word & highs == 0 && !control && !hasZeroByte(word ^ (ones &* 0x22))
            && !hasZeroByte(word ^ (ones &* 0x5C))
    }

    private func sameBytes(_ left: Range<Int>, _ right: Range<Int>) -> Bool {
        guard left.count == right.count else { return false }
        guard let base = bytes.baseAddress, !left.isEmpty else { return true }
        return memcmp(base + left.lowerBound, base + right.lowerBound, left.count) == 0
    }

    /// The bytes of the string at the opening quote, between the quotes: checked to be UTF-8
    /// without escapes or control characters.
    private mutating func stringBytes() throws(Refusal) -> Range<Int> {
        index += 1
        let start = index
        var ascii = true
        // Eight bytes at a time while none of them ends the string or needs a closer look: strings
        // are most of a snap-action request's bytes (snap IDs, instance keys, field names).
        if let base = bytes.baseAddress {
            while index + 8 <= bytes.count,
                Self.isPlainText(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self))
            {
                index += 8
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let range = start..<index
                index += 1
                // ASCII is valid UTF-8 as it stands: only other text needs validating.
                if !ascii, String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) == nil {
                    throw Refusal()
                }
                return range
            }
            guard byte != UInt8(ascii: "\\"), byte >= 0x20 else { throw Refusal() }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        throw Refusal()
    }
}
