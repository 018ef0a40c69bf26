import Assertions
import TestSupport
import Testing

/// Bad input is refused with a precise reason and never crashes the decoder.
@Suite struct MalformedInputTests {
    typealias T = TestAuthority

    static let valid: String = try! T.myPi3Model().encodedText

    private func decodeError(_ text: String) -> String? {
        do {
            _ = try AssertionStream.decode(text)
            return nil
        } catch {
            return error.message
        }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let text: String
        let reason: String
        var testDescription: String { name }
    }

    static func replacing(_ old: String, _ new: String) -> String {
        valid.replacingOccurrences(of: old, with: new)
    }

    static let cases: [Case] = [
        Case(
            name: "truncated inside the headers", text: String(valid.prefix(60)),
            reason: "not terminated by a blank line"),
        Case(
            name: "no signature", text: String(valid.prefix(upTo: valid.range(of: "\n\n")!.upperBound)),
            reason: "empty assertion signature"),
        Case(
            name: "duplicate header", text: replacing("series: 16\n", "series: 16\nseries: 16\n"),
            reason: "repeated header: \"series\""),
        Case(name: "misnamed header", text: replacing("gadget:", "Gadget:"), reason: "invalid header name: \"Gadget\""),
        Case(
            name: "bad integer", text: replacing("series: 16\n", "series: 16\nrevision: 1x\n"),
            reason: "\"revision\" header is not an integer: 1x"),
        Case(
            name: "leading zeros", text: replacing("series: 16\n", "series: 16\nrevision: 01\n"),
            reason: "has invalid prefix zeros"),
        Case(
            name: "negative revision", text: replacing("series: 16\n", "series: 16\nrevision: -1\n"),
            reason: "revision should be positive"),
        Case(
            name: "bad time", text: replacing("timestamp: 2026-01-02T00:00:00Z", "timestamp: 2026-13-02T00:00:00Z"),
            reason: "\"timestamp\" header is not a RFC3339 date"),
        Case(
            name: "unknown type", text: replacing("type: model", "type: gizmo"),
            reason: "unknown assertion type: \"gizmo\""),
        Case(
            name: "bad key id", text: replacing("sign-key-sha3-384: ", "sign-key-sha3-384: AAAA"),
            reason: "\"sign-key-sha3-384\" header does not have the expected bit length"),
        Case(
            name: "bad signature base64", text: replacing("\n\nAcL", "\n\n*cL"),
            reason: "cannot decode signature: illegal base64 data"),
    ]

    @Test(arguments: cases)
    func refusesWithAPreciseReason(_ testCase: Case) throws {
        let (name, text, reason) = (testCase.name, testCase.text, testCase.reason)
        if name == "bad signature base64" {
            // The stream decodes; the signature is what fails, when it is checked.
            let assertion = try Assertion.decode(text)
            var database = try T.database()
            #expect {
                try database.add(assertion)
            } throws: { ($0 as? AssertionError)?.message.contains(reason) == true }
            return
        }
        let message = try #require(decodeError(text), "\(name) was accepted")
        #expect(message.contains(reason), "\(name): \(message)")
    }

    @Test func bodyLengthMustMatch() throws {
        let serial = try T.serial(body: "mac: 1")
        let longer = serial.encodedText.replacingOccurrences(of: "body-length: 6", with: "body-length: 7")
        #expect(decodeError(longer)?.contains("missing content/signature separator") == true)
        let shorter = serial.encodedText.replacingOccurrences(of: "body-length: 6", with: "body-length: 5")
        #expect(decodeError(shorter) != nil)
        #expect(throws: AssertionError.self) { _ = try Assertion.decode(shorter) }
    }

    @Test func oversizedPartsAreRefused() {
        let hugeHeader = "type: model\nx: " + String(repeating: "a", count: 128 * 1024) + "\n\nsig"
        #expect(decodeError(hugeHeader)?.contains("maximum size exceeded") == true)
        let hugeBody = Self.valid.replacingOccurrences(of: "series: 16\n", with: "series: 16\nbody-length: 3000000\n")
        #expect(decodeError(hugeBody) == "assertion body length 3000000 exceeds maximum body size")
    }

    @Test func streamsToleratetrailingNewlinesAndKeepOrder() throws {
        let model = try T.myPi3Model()
        let stream = AssertionStream.encode([T.rootAccount, T.rootAccountKey, model])
        let decoded = try AssertionStream.decode(stream + [0x0a])
        #expect(decoded == [T.rootAccount, T.rootAccountKey, model])
        #expect(AssertionStream.encode(decoded) == stream)
    }

    /// Thousands of mutations of valid assertions: each is decoded and checked, and anything
    /// accepted must carry exactly the signed content it started with. And no crash, no hang.
    @Test func survivesThousandsOfMutations() throws {
        let sources = [
            T.rootAccountKey.encoded, try T.myPi3Model().encoded,
            try T.sign(
                [
                    "type": "validation-set", "authority-id": "acme-brand", "account-id": "acme-brand", "series": "16",
                    "name": "fleet", "sequence": "1", "timestamp": .string(T.timestamp),
                    "snaps": [["name": "hello", "id": "abcdefghijklmnopqrstuvwxyz012345", "presence": "required"]],
                ], key: T.brandKey
            ).encoded,
        ]
        let originalContents = try Set(sources.map { try Assertion.decode($0).content })
        var generator = SplitMix64(seed: 0x5eed)
        let database = try T.database()
        var forged: [String] = []
        for round in 0..<6000 {
            var bytes = sources[round % sources.count]
            for _ in 0...(generator.next() % 4) where !bytes.isEmpty {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 5 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes.remove(at: position)
                case 2: bytes.insert([0x0a, 0x20, 0x3a, 0x2d][Int(generator.next() % 4)], at: position)
                case 3: bytes.removeSubrange(position..<bytes.count)
                default: bytes[position] ^= 0x01
                }
            }
            guard let assertions = try? AssertionStream.decode(bytes) else { continue }
            for assertion in assertions {
                var copy = database
                if (try? copy.add(assertion)) != nil, !originalContents.contains(assertion.content) {
                    forged.append(assertion.encodedText)
                }
            }
        }
        // Only mutations of bytes the signature does not cover (line breaks in its base64, the
        // stream's trailing newlines) may still be accepted: signed content never changes.
        #expect(forged == [])
    }
}
