/// The body of snapd's `POST /v2/snaps/refresh` (`store/store_action.go`), keys as snapd writes
/// them (read through `WireJSON.decoder`).
public struct SnapActionRequest: Decodable, Sendable {
    public struct ContextEntry: Decodable, Sendable {
        public let snapID: String
        public let instanceKey: String
        public let revision: Int
        public let trackingChannel: String?
        public let epoch: WireEpoch?
        public let ignoreValidation: Bool?
        public let cohortKey: String?
        public let validationSets: [[String]]?
    }

    public struct AssertionRequest: Decodable, Sendable {
        public let type: String
        public let primaryKey: [String]?
        public let sequenceKey: [String]?
        public let sequence: Int?
        public let ifNewerThan: Int?
        public let ifSequenceEqualOrNewerThan: Int?
    }

    public struct Action: Decodable, Sendable {
        public let action: String
        public let instanceKey: String?
        public let name: String?
        public let snapID: String?
        public let channel: String?
        public let revision: Int?
        public let cohortKey: String?
        public let epoch: WireEpoch?
        public let ignoreValidation: Bool?
        public let validationSets: [[String]]?
        public let key: String?
        public let assertions: [AssertionRequest]?
    }

    public let context: [ContextEntry]
    public let actions: [Action]
    public let fields: [String]?
}

/// An epoch as snapd sends it: `{"read": [...], "write": [...]}`, a string like `"1*"`, or null.
public struct WireEpoch: Decodable, Sendable, Equatable {
    public let read: [UInt32]
    public let write: [UInt32]

    public init(read: [UInt32], write: [UInt32]) {
        self.read = read
        self.write = write
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            let star = text.hasSuffix("*")
            let number = UInt32(star ? String(text.dropLast()) : text) ?? 0
            read = star && number > 0 ? [number - 1, number] : [number]
            write = [number]
            return
        }
        struct Lists: Decodable {
            let read: [UInt32]?
            let write: [UInt32]?
        }
        let lists = try container.decode(Lists.self)
        read = lists.read ?? lists.write ?? [0]
        write = lists.write ?? Array((lists.read ?? [0]).suffix(1))
    }
}
