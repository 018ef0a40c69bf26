/// The identifier rules of snapd (`snap/naming/validate.go`, `asserts/*.go`), written as small
/// matchers rather than regular expressions because they run on every decoded header.
public enum NameRule: Sendable {
    /// `^[a-z0-9A-Z]{32}$`
    case snapID
    /// `^(?:[a-z0-9A-Z]{32}|[-a-z0-9]{2,28})$`
    case accountID
    /// `^[a-zA-Z0-9](?:-?[a-zA-Z0-9])*$` (models, provenance, app names)
    case dashedAlphanumeric
    /// `^[a-z0-9](?:-?[a-z0-9])*$` (validation-set names)
    case dashedLowerAlphanumeric
    /// `^(?:[a-z0-9]+-?)*[a-z](?:-?[a-z0-9])*$` (account-key names)
    case accountKeyName
    /// `^[a-zA-Z0-9][-_.a-zA-Z0-9]*$` (aliases)
    case alias
    /// `^[a-z][-a-z]+$` (model snap modes)
    case mode
    /// `^[a-z0-9._-]*$` (classic model distribution)
    case distribution
    /// snap names: 2–40 of `[a-z0-9-]`, at least one letter, no leading, trailing or double dash.
    case snapName

    public func matches(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        switch self {
        case .snapID:
            return bytes.count == 32 && bytes.allSatisfy(Self.isAlphanumeric)
        case .accountID:
            if bytes.count == 32 && bytes.allSatisfy(Self.isAlphanumeric) { return true }
            return (2...28).contains(bytes.count) && bytes.allSatisfy { Self.isLowerOrDigit($0) || $0 == Self.dash }
        case .dashedAlphanumeric:
            return Self.isDashed(bytes, Self.isAlphanumeric)
        case .dashedLowerAlphanumeric:
            return Self.isDashed(bytes, Self.isLowerOrDigit)
        case .accountKeyName:
            // Equivalent to the regex: dashed lower-case alphanumerics with at least one letter.
            return Self.isDashed(bytes, Self.isLowerOrDigit) && bytes.contains(where: Self.isLower)
        case .alias:
            guard let first = bytes.first, Self.isAlphanumeric(first) else { return false }
            return bytes.allSatisfy { Self.isAlphanumeric($0) || $0 == Self.dash || $0 == 0x5f || $0 == 0x2e }
        case .mode:
            guard bytes.count >= 2, Self.isLower(bytes[0]) else { return false }
            return bytes.dropFirst().allSatisfy { Self.isLower($0) || $0 == Self.dash }
        case .distribution:
            return bytes.allSatisfy { Self.isLowerOrDigit($0) || $0 == 0x2e || $0 == 0x5f || $0 == Self.dash }
        case .snapName:
            return (2...40).contains(bytes.count) && Self.isDashed(bytes, Self.isLowerOrDigit)
                && bytes.contains(where: Self.isLower)
        }
    }

    private static let dash = UInt8(ascii: "-")

    private static func isLower(_ byte: UInt8) -> Bool { byte >= 0x61 && byte <= 0x7a }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isLowerOrDigit(_ byte: UInt8) -> Bool { isLower(byte) || isDigit(byte) }
    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLowerOrDigit(byte) || (byte >= 0x41 && byte <= 0x5a)
    }

    /// `^X(?:-?X)*$`: non-empty, no leading, trailing or doubled dash.
    private static func isDashed(_ bytes: [UInt8], _ allowed: (UInt8) -> Bool) -> Bool {
        guard let first = bytes.first, let last = bytes.last, allowed(first), allowed(last) else { return false }
        var previousDash = false
        for byte in bytes {
            if byte == dash {
                if previousDash { return false }
                previousDash = true
            } else {
                guard allowed(byte) else { return false }
                previousDash = false
            }
        }
        return true
    }
}
