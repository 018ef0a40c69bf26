/// How the store says no: snapd's `error-list` (`store/errors.go`), also written as `error_list`,
/// which snapcraft's dashboard client reads first and snapd's serial requests read
/// (`overlord/devicestate` `retryBadStatus`). Reads either.
public struct ErrorList: Codable, Sendable, Equatable, Error {
    public struct Entry: Codable, Sendable, Equatable {
        public var code: String
        public var message: String

        public init(code: String, message: String) {
            self.code = code
            self.message = message
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry]) {
        self.entries = entries
    }

    public init(code: String, message: String) {
        self.entries = [Entry(code: code, message: message)]
    }

    /// "message (code)" of the first entry, for people.
    public var summary: String {
        entries.first.map { "\($0.message) (\($0.code))" } ?? "no error given"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        entries =
            try container.decodeIfPresent([Entry].self, forKey: .kebab)
            ?? container.decode([Entry].self, forKey: .snake)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entries, forKey: .kebab)
        try container.encode(entries, forKey: .snake)
    }

    enum CodingKeys: String, CodingKey {
        case kebab = "error-list"
        case snake = "error_list"
    }
}
