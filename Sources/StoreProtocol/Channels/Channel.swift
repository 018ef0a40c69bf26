/// The four risks of a track, from the safest.
public enum Risk: String, Sendable, Codable, CaseIterable, Comparable {
    case stable, candidate, beta, edge

    /// 0 for stable up to 3 for edge.
    public var level: Int {
        switch self {
        case .stable: 0
        case .candidate: 1
        case .beta: 2
        case .edge: 3
        }
    }

    public static func < (left: Risk, right: Risk) -> Bool {
        left.level < right.level
    }

    /// This risk and every safer one, riskiest first: where a request for this risk looks.
    public var fallbacks: [Risk] {
        switch self {
        case .stable: Self.fromStable
        case .candidate: Self.fromCandidate
        case .beta: Self.fromBeta
        case .edge: Self.fromEdge
        }
    }

    // Made once: every refresh of every snap asks.
    private static let fromStable: [Risk] = [.stable]
    private static let fromCandidate: [Risk] = [.candidate, .stable]
    private static let fromBeta: [Risk] = [.beta, .candidate, .stable]
    private static let fromEdge: [Risk] = [.edge, .beta, .candidate, .stable]

    /// The risk a part of a channel's name names, nil for any other text (a track or a branch).
    static func named(_ part: Substring) -> Risk? {
        // Compared as bytes: comparing a substring with a string goes through Unicode's rules.
        part.utf8.withContiguousStorageIfAvailable { bytes in
            allCases.first { risk in
                let name = risk.rawValue.utf8
                return name.count == bytes.count && name.elementsEqual(bytes)
            }
        } ?? allCases.first { part == $0.rawValue }
    }
}

/// A channel: track, risk and optional branch, as snapd names them (`snap/channel/channel.go`).
public struct Channel: Sendable, Hashable, Codable, CustomStringConvertible {
    public let track: String
    public let risk: Risk
    /// Empty when the channel has no branch.
    public let branch: String

    public init(track: String = "latest", risk: Risk, branch: String = "") {
        self.track = track
        self.risk = risk
        self.branch = branch
    }

    /// `track/risk` or `track/risk/branch`, the full name the store answers with.
    public var name: String {
        branch.isEmpty ? "\(track)/\(risk.rawValue)" : "\(track)/\(risk.rawValue)/\(branch)"
    }

    public var description: String { name }

    /// The same channel without its branch.
    public var withoutBranch: Channel { Channel(track: track, risk: risk) }
}
