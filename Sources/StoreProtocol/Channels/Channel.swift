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
        Risk.allCases.filter { $0 <= self }.reversed()
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
