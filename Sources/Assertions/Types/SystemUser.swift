import Foundation

/// `system-user`: a local user a brand hands to the devices of its models, as a factory's hand-off
/// to a customer does (`asserts/system_user.go`). snapd checks who may sign it when it creates the
/// user (the model's `system-user-authority`), not when it stores it.
public struct SystemUser: Sendable {
    public let assertion: Assertion
    public let series: [String]
    public let models: [String]
    public let serials: [String]
    public let sshKeys: [String]
    public let since: Timestamp
    public let until: Timestamp
    public let forcePasswordChange: Bool

    public init(_ assertion: Assertion) throws(AssertionError) {
        let checks = HeaderChecks(assertion.headers)
        let email = try checks.notEmptyString("email")
        guard Self.isEmailAddress(email) else {
            throw AssertionError(
                .invalid, "\"email\" header must be a RFC 5322 compliant email address: \(HeaderParser.quoted(email))")
        }
        series = try checks.stringList("series")
        models = try checks.stringList("models")
        serials = try checks.stringList("serials")
        if !serials.isEmpty, assertion.format < 1 {
            throw AssertionError(.invalid, "the \"serials\" header is only supported for format 1 or greater")
        }
        if !serials.isEmpty, models.count != 1 {
            throw AssertionError(
                .invalid, "in the presence of the \"serials\" header \"models\" must specify exactly one model")
        }
        _ = try checks.optionalString("name")
        let username = try checks.notEmptyString("username")
        guard Self.isUsername(username) else {
            throw AssertionError(
                .invalid, "\"username\" header contains invalid characters: \(HeaderParser.quoted(username))")
        }
        let password = try Self.hashedPassword(checks)
        forcePasswordChange = try checks.optionalBool("force-password-change")
        if forcePasswordChange, password.isEmpty {
            throw AssertionError(.invalid, "cannot use \"force-password-change\" with an empty \"password\"")
        }
        sshKeys = try checks.stringList("ssh-keys")
        since = try checks.date("since")
        until = try checks.date("until")
        guard until >= since else { throw AssertionError(.invalid, "'until' time cannot be before 'since' time") }
        // A user for every model of the brand lasts a year at most; snapd adds a calendar year.
        if models.isEmpty, until > Self.oneYear(after: since) {
            throw AssertionError(
                .invalid, "'until' time cannot be more than 365 days in the future when no models are specified")
        }
        self.assertion = assertion
    }

    public var brandID: String { assertion.string("brand-id") }
    public var email: String { assertion.string("email") }
    public var username: String { assertion.string("username") }
    public var name: String { assertion.string("name") }
    public var password: String { assertion.string("password") }

    /// Whether the user is for this device (snapd's `SystemUser.ValidAt` and the model checks of
    /// `devicestate`'s create-user): its series, model and serial listed (or none listed), `at`
    /// inside since–until.
    public func isFor(series deviceSeries: String, model: String, serial: String, at time: Timestamp) -> Bool {
        (series.isEmpty || series.contains(deviceSeries)) && (models.isEmpty || models.contains(model))
            && (serials.isEmpty || serials.contains(serial)) && since <= time && time < until
    }

    /// A subset of what Go's `mail.ParseAddress` takes: `local@domain`, both dot-atoms.
    static func isEmailAddress(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        let atom = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~")
        func isDotAtom(_ part: Substring) -> Bool {
            !part.isEmpty
                && part.split(separator: ".", omittingEmptySubsequences: false).allSatisfy {
                    !$0.isEmpty && $0.allSatisfy(atom.contains)
                }
        }
        return isDotAtom(parts[0]) && isDotAtom(parts[1])
    }

    /// snapd's `^[a-z0-9][-a-z0-9+.-_]*$`, whose `.-_` is the range from `.` to `_`.
    static func isUsername(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, (0x61...0x7a).contains(first) || (0x30...0x39).contains(first) else {
            return false
        }
        return bytes.allSatisfy {
            $0 == 0x2d || $0 == 0x2b || (0x61...0x7a).contains($0) || (0x2e...0x5f).contains($0)
        }
    }

    /// An optional crypt(3) line: `$6$salt$hash` or `$6$rounds=N$salt$hash`, sha512crypt or newer.
    static func hashedPassword(_ checks: HeaderChecks) throws(AssertionError) -> String {
        let password = try checks.optionalString("password") ?? ""
        guard !password.isEmpty else { return "" }
        let parts = password.split(separator: "$", maxSplits: 4, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4 || parts.count == 5 else {
            throw AssertionError(
                .invalid,
                "\"password\" header invalid: hashed password must be of the form \"$integer-id$salt$hash\", see crypt(3)"
            )
        }
        if parts.count == 4, parts[2].hasPrefix("rounds=") {
            throw AssertionError(.invalid, "\"password\" header invalid: missing hash field")
        }
        guard let id = Int(parts[1]) else {
            throw AssertionError(.invalid, "\"password\" header must start with \"$integer-id$\", got \"\(parts[1])\"")
        }
        guard id >= 6 else {
            throw AssertionError(
                .invalid, "\"password\" header only supports $id$ values of 6 (sha512crypt) or higher")
        }
        let (salt, hash) = parts.count == 4 ? (parts[2], parts[3]) : (parts[3], parts[4])
        if parts.count == 5, parts[2].hasPrefix("rounds=") {
            guard let rounds = Int(parts[2].dropFirst("rounds=".count)) else {
                throw AssertionError(.invalid, "\"password\" header has invalid number of rounds")
            }
            guard (5000...999_999_999).contains(rounds) else {
                throw AssertionError(.invalid, "\"password\" header rounds parameter out of bounds: \(rounds)")
            }
        }
        for (what, value) in [("salt", salt), ("hash", hash)] {
            guard !value.isEmpty, value.utf8.allSatisfy({ Self.cryptCharacters.contains($0) }) else {
                throw AssertionError(.invalid, "\"password\" header has invalid chars in \(what) \"\(value)\"")
            }
        }
        return password
    }

    private static let cryptCharacters = Set(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./".utf8)

    /// Go's `AddDate(1, 0, 0)`: the same day and time a calendar year later (29 February → 1 March).
    static func oneYear(after time: Timestamp) -> Timestamp {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let date = Date(timeIntervalSince1970: TimeInterval(time.seconds))
        var parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        parts.year = (parts.year ?? 1970) + 1
        let later = calendar.date(from: parts) ?? date.addingTimeInterval(366 * 86400)
        return Timestamp(seconds: Int64(later.timeIntervalSince1970), nanoseconds: time.nanoseconds)
    }
}

extension AssertionType {
    public static let systemUser: AssertionType = AssertionType(
        name: "system-user", primaryKey: ["brand-id", "email"], maxSupportedFormat: 1,
        validate: { assertion throws(AssertionError) in _ = try SystemUser(assertion) },
        minimumFormat: { headers in headers["serials"]?.listValue?.isEmpty == false ? 1 : 0 })
}
