import SnapFiles

/// The body of snapd's `POST /v2/snaps/refresh` (`store/store_action.go`: `snapActionRequest`,
/// `currentSnapV2JSON`, `snapActionJSON`), with snapd's own JSON keys. The store reads it and a
/// device writes it, so it goes both ways.
public struct SnapActionRequest: Codable, Sendable, Equatable {
    /// One installed snap (`currentSnapV2JSON`).
    public struct ContextEntry: Codable, Sendable, Equatable {
        public var snapID: String
        public var instanceKey: String
        public var revision: Int
        public var trackingChannel: String?
        /// snapd always sends one; null and absent read as epoch 0, as `snap.Epoch` does.
        public var epoch: Epoch?
        public var refreshedDate: String?
        public var ignoreValidation: Bool?
        public var cohortKey: String?
        public var validationSets: [[String]]?

        public init(
            snapID: String, instanceKey: String, revision: Int, trackingChannel: String?, epoch: Epoch?,
            refreshedDate: String? = nil, ignoreValidation: Bool? = nil, cohortKey: String? = nil,
            validationSets: [[String]]? = nil
        ) {
            self.snapID = snapID
            self.instanceKey = instanceKey
            self.revision = revision
            self.trackingChannel = trackingChannel
            self.epoch = epoch
            self.refreshedDate = refreshedDate
            self.ignoreValidation = ignoreValidation
            self.cohortKey = cohortKey
            self.validationSets = validationSets
        }

        enum CodingKeys: String, CodingKey {
            case snapID = "snap-id"
            case instanceKey = "instance-key"
            case revision
            case trackingChannel = "tracking-channel"
            case epoch
            case refreshedDate = "refreshed-date"
            case ignoreValidation = "ignore-validation"
            case cohortKey = "cohort-key"
            case validationSets = "validation-sets"
        }
    }

    /// One assertion of a `fetch-assertions` action (`assertAtJSON`, `assertSeqAtJSON`).
    public struct AssertionRequest: Codable, Sendable, Equatable {
        public var type: String
        public var primaryKey: [String]?
        public var sequenceKey: [String]?
        public var sequence: Int?
        public var ifNewerThan: Int?
        public var ifSequenceEqualOrNewerThan: Int?

        public init(
            type: String, primaryKey: [String]? = nil, sequenceKey: [String]? = nil, sequence: Int? = nil,
            ifNewerThan: Int? = nil, ifSequenceEqualOrNewerThan: Int? = nil
        ) {
            self.type = type
            self.primaryKey = primaryKey
            self.sequenceKey = sequenceKey
            self.sequence = sequence
            self.ifNewerThan = ifNewerThan
            self.ifSequenceEqualOrNewerThan = ifSequenceEqualOrNewerThan
        }

        enum CodingKeys: String, CodingKey {
            case type
            case primaryKey = "primary-key"
            case sequenceKey = "sequence-key"
            case sequence
            case ifNewerThan = "if-newer-than"
            case ifSequenceEqualOrNewerThan = "if-sequence-equal-or-newer-than"
        }
    }

    /// What a device asks for (`snapActionJSON`).
    public struct Action: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable {
            case install, download, refresh
            case fetchAssertions = "fetch-assertions"
        }

        /// Kept as text so that an unknown action is the store's clear refusal, not a decoding error.
        public var action: String
        public var instanceKey: String?
        public var name: String?
        public var snapID: String?
        public var channel: String?
        public var revision: Int?
        public var cohortKey: String?
        public var epoch: Epoch?
        public var ignoreValidation: Bool?
        public var validationSets: [[String]]?
        public var key: String?
        public var assertions: [AssertionRequest]?

        public var kind: Kind? { Kind(rawValue: action) }

        public init(
            _ kind: Kind, instanceKey: String? = nil, name: String? = nil, snapID: String? = nil,
            channel: String? = nil, revision: Int? = nil, cohortKey: String? = nil, epoch: Epoch? = nil,
            ignoreValidation: Bool? = nil, validationSets: [[String]]? = nil, key: String? = nil,
            assertions: [AssertionRequest]? = nil
        ) {
            self.action = kind.rawValue
            self.instanceKey = instanceKey
            self.name = name
            self.snapID = snapID
            self.channel = channel
            self.revision = revision
            self.cohortKey = cohortKey
            self.epoch = epoch
            self.ignoreValidation = ignoreValidation
            self.validationSets = validationSets
            self.key = key
            self.assertions = assertions
        }

        enum CodingKeys: String, CodingKey {
            case action
            case instanceKey = "instance-key"
            case name
            case snapID = "snap-id"
            case channel
            case revision
            case cohortKey = "cohort-key"
            case epoch
            case ignoreValidation = "ignore-validation"
            case validationSets = "validation-sets"
            case key
            case assertions
        }
    }

    /// The fields snapd 2.57.6 asks for (`store/store_action.go` `snapActionFields`).
    public static let snapdFields = [
        "architectures", "base", "confinement", "contact", "created-at", "description", "download", "epoch",
        "license", "name", "prices", "private", "publisher", "revision", "snap-id", "snap-yaml", "summary", "title",
        "type", "version", "website", "store-url", "media", "common-ids",
    ]

    public var context: [ContextEntry]
    public var actions: [Action]
    public var fields: [String]?
    public var assertionMaxFormats: [String: Int]?

    public init(
        context: [ContextEntry], actions: [Action], fields: [String]? = nil, assertionMaxFormats: [String: Int]? = nil
    ) {
        self.context = context
        self.actions = actions
        self.fields = fields
        self.assertionMaxFormats = assertionMaxFormats
    }

    enum CodingKeys: String, CodingKey {
        case context, actions, fields
        case assertionMaxFormats = "assertion-max-formats"
    }
}
