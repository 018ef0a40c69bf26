import Assertions

/// The assertion decoder, on one assertion (imports, `snap sign` output) and on streams (what
/// `snap ack` and the assertion service exchange). A decoded assertion is encoded again, as the
/// store serves what it stored.
enum AssertionFuzz {
    static func single(_ bytes: [UInt8]) {
        guard let assertion = try? Assertion.decode(bytes) else { return }
        _ = assertion.encoded
    }

    static func stream(_ bytes: [UInt8]) {
        guard let assertions = try? AssertionStream.decode(bytes) else { return }
        for assertion in assertions { _ = assertion.encoded }
    }
}
