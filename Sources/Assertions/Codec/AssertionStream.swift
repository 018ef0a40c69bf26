/// Streams of assertions, as the assertion service serves them and `snap download` writes `.assert`
/// files: snapd's `asserts.Decoder` and `asserts.Encoder` over bytes in memory.
public enum AssertionStream {
    /// Decodes every assertion in `bytes`, enforcing snapd's header, body and signature size limits.
    public static func decode(_ bytes: [UInt8]) throws(AssertionError) -> [Assertion] {
        var reader = StreamReader(bytes: bytes)
        var result: [Assertion] = []
        while let assertion = try reader.next() {
            result.append(assertion)
        }
        return result
    }

    public static func decode(_ text: String) throws(AssertionError) -> [Assertion] {
        try decode(Array(text.utf8))
    }

    /// Joins assertions with one blank line between them, each ending with a newline.
    public static func encode(_ assertions: [Assertion]) -> [UInt8] {
        var output: [UInt8] = []
        var separator: [UInt8] = []
        for assertion in assertions {
            output += separator
            output += assertion.encoded
            if assertion.signature.last != 0x0a { output.append(0x0a) }
            separator = [0x0a]
        }
        return output
    }

    private struct StreamReader {
        let bytes: [UInt8]
        var position = 0

        /// Finds the next "\n\n" within `maxSize` bytes; returns the bytes up to and including it,
        /// or everything left at the end of input (with `atEnd`).
        mutating func readUntilSeparator(maxSize: Int, what: String) throws(AssertionError)
            -> (bytes: ArraySlice<UInt8>, atEnd: Bool)
        {
            let window = bytes[position..<min(bytes.count, position + maxSize)]
            if let found = Assertion.firstRange(of: Assertion.separator, in: window) {
                let chunk = bytes[position..<(found + 2)]
                position = found + 2
                return (chunk, false)
            }
            if position + maxSize < bytes.count {
                throw AssertionError(
                    .format,
                    "error reading assertion \(what): maximum size exceeded while looking for delimiter \"\\n\\n\"")
            }
            let chunk = bytes[position...]
            position = bytes.count
            return (chunk, true)
        }

        mutating func next() throws(AssertionError) -> Assertion? {
            if position >= bytes.count { return nil }
            let (headAndSeparator, headAtEnd) = try readUntilSeparator(
                maxSize: AssertionLimits.maxHeadersSize, what: "headers")
            if headAtEnd {
                // Whitespace after the last assertion is the stream's end, not a truncated assertion.
                if headAndSeparator.allSatisfy({ $0 == 0x0a }) { return nil }
                throw AssertionError(.format, "unexpected EOF: assertion headers not terminated by a blank line")
            }
            let head = headAndSeparator.dropLast(2)
            let headers: Headers
            do {
                headers = try HeaderParser.parse(head)
            } catch {
                throw error.prefixed("parsing assertion headers")
            }
            let length = try prefixed("assertion") { () throws(AssertionError) in
                try HeaderChecks(headers).integer("body-length", default: 0)
            }
            guard length <= AssertionLimits.maxBodySize else {
                throw AssertionError(.format, "assertion body length \(length) exceeds maximum body size")
            }
            guard length >= 0 else {
                throw AssertionError(.format, "assertion body length \(length) is negative")
            }
            var content = Array(head)
            var body: [UInt8] = []
            if length > 0 {
                guard position + length <= bytes.count else {
                    throw AssertionError(
                        .format, "unexpected EOF: assertion body shorter than its body-length \(length)")
                }
                body = Array(bytes[position..<(position + length)])
                position += length
                content += Assertion.separator + body
            }
            let (endOfBody, _) = try readUntilSeparator(maxSize: AssertionLimits.maxSignatureSize, what: "trailer")
            var signature: ArraySlice<UInt8>
            if endOfBody.elementsEqual(Assertion.separator) {
                // snapd keeps the extra blank line in the content when a body-less assertion has one.
                if length == 0 { content += Assertion.separator }
                (signature, _) = try readUntilSeparator(maxSize: AssertionLimits.maxSignatureSize, what: "signature")
            } else {
                guard length == 0 else {
                    throw AssertionError(.format, "missing content/signature separator")
                }
                signature = endOfBody
            }
            if signature.count >= 2, signature.suffix(2).elementsEqual(Assertion.separator) {
                signature = signature.dropLast()
            }
            return try Assertion.assemble(
                headers: headers, body: body, content: content, signature: Array(signature))
        }
    }
}
