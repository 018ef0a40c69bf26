/// A channel as someone typed it: `edge`, `2.0`, `latest/stable`, `2.0/candidate/fix-1`,
/// `stable/hotfix`. Whether the track was given matters: a snap's default track applies only then.
public struct ChannelRequest: Sendable, Hashable, CustomStringConvertible {
    /// nil when the text named no track.
    public let track: String?
    public let risk: Risk
    public let branch: String

    public var description: String {
        [track, risk.rawValue, branch.isEmpty ? nil : branch].compactMap { $0 }.joined(separator: "/")
    }

    public init(track: String?, risk: Risk, branch: String = "") {
        self.track = track
        self.risk = risk
        self.branch = branch
    }

    /// The channel this request means for a snap whose default track is `defaultTrack`.
    public func channel(defaultTrack: String) -> Channel {
        Channel(track: track ?? defaultTrack, risk: risk, branch: branch)
    }

    public static func parse(_ text: String) throws(ChannelError) -> ChannelRequest {
        guard !text.isEmpty else { throw ChannelError("channel name cannot be empty") }
        // Read on every refresh of every snap: the parts are slices of the text, compared in place,
        // and a string is made only for a track or branch that is kept.
        let utf8 = text.utf8
        let slash = UInt8(ascii: "/")
        let firstSlash = utf8.firstIndex(of: slash)
        let secondSlash = firstSlash.flatMap { utf8[utf8.index(after: $0)...].firstIndex(of: slash) }
        if let secondSlash, utf8[utf8.index(after: secondSlash)...].contains(slash) {
            throw ChannelError("channel name has too many components: \(text)")
        }
        var parts: (Substring, Substring, Substring) = (text[...], "", "")
        var count = 1
        if let firstSlash {
            parts.0 = text[..<firstSlash]
            let afterFirst = utf8.index(after: firstSlash)
            if let secondSlash {
                parts.1 = text[afterFirst..<secondSlash]
                parts.2 = text[utf8.index(after: secondSlash)...]
                count = 3
            } else {
                parts.1 = text[afterFirst...]
                count = 2
            }
        }
        var track: Substring?
        var riskValue = Risk.stable
        var branch: Substring = ""
        switch count {
        case 1:
            if let named = Risk.named(parts.0) { riskValue = named } else { track = parts.0 }
        case 2:
            if let named = Risk.named(parts.0) {
                riskValue = named
                branch = parts.1
            } else {
                guard let named = Risk.named(parts.1) else {
                    throw ChannelError("invalid risk in channel name: \(text)")
                }
                track = parts.0
                riskValue = named
            }
        default:
            guard let named = Risk.named(parts.1) else { throw ChannelError("invalid risk in channel name: \(text)") }
            track = parts.0
            riskValue = named
            branch = parts.2
        }
        if let track {
            guard Self.isValidName(track) else { throw ChannelError("invalid track in channel name: \(text)") }
        }
        if count > 1 && !branch.isEmpty || count == 3 {
            guard Self.isValidName(branch) else { throw ChannelError("invalid branch in channel name: \(text)") }
        }
        return ChannelRequest(track: track.map(String.init), risk: riskValue, branch: String(branch))
    }

    /// Track and branch names: 1–128 of letters, digits, `-`, `_`, `.`, starting with a letter or digit.
    public static func isValidName(_ name: some StringProtocol) -> Bool {
        func alphanumeric(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        let utf8 = name.utf8
        guard let first = utf8.first, utf8.count <= 128, alphanumeric(first) else { return false }
        return utf8.allSatisfy {
            alphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".")
        }
    }
}

public struct ChannelError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
