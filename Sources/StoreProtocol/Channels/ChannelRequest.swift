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
        // Read on every refresh of every snap: split by hand, no array of substrings.
        var parts: [String] = []
        parts.reserveCapacity(3)
        var rest = Substring(text)
        while let slash = rest.utf8.firstIndex(of: UInt8(ascii: "/")) {
            parts.append(String(rest[..<slash]))
            rest = rest[rest.utf8.index(after: slash)...]
        }
        parts.append(String(rest))
        func risk(_ value: String) -> Risk? { Risk(rawValue: value) }
        var track: String?
        var riskValue = Risk.stable
        var branch = ""
        switch parts.count {
        case 1:
            if let named = risk(parts[0]) { riskValue = named } else { track = parts[0] }
        case 2:
            if let named = risk(parts[0]) {
                riskValue = named
                branch = parts[1]
            } else {
                guard let named = risk(parts[1]) else { throw ChannelError("invalid risk in channel name: \(text)") }
                track = parts[0]
                riskValue = named
            }
        case 3:
            guard let named = risk(parts[1]) else { throw ChannelError("invalid risk in channel name: \(text)") }
            track = parts[0]
            riskValue = named
            branch = parts[2]
        default:
            throw ChannelError("channel name has too many components: \(text)")
        }
        if let track {
            guard Self.isValidName(track) else { throw ChannelError("invalid track in channel name: \(text)") }
        }
        if parts.count > 1 && !branch.isEmpty || parts.count == 3 {
            guard Self.isValidName(branch) else { throw ChannelError("invalid branch in channel name: \(text)") }
        }
        return ChannelRequest(track: track, risk: riskValue, branch: branch)
    }

    /// Track and branch names: 1–128 of letters, digits, `-`, `_`, `.`, starting with a letter or digit.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.utf8.count <= 128 else { return false }
        let alphanumeric = { (scalar: Unicode.Scalar) in
            (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
        }
        return alphanumeric(first)
            && name.unicodeScalars.allSatisfy { alphanumeric($0) || "-_.".unicodeScalars.contains($0) }
    }
}

public struct ChannelError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
