import SnapFiles

extension SnapActionRequest {
    /// Reads a body as the synthesized `Decodable` conformance does (required keys, optional ones
    /// absent or null, unknown ones ignored), with `JSONReader`. Anything read differently is
    /// refused, and the caller decodes with `JSONDecoder`, which is the reference.
    public init(reading body: some Collection<UInt8>) throws(JSONReader.Refusal) {
        self = try JSONReader.read(body) { json in try SnapActionRequest(json: &json) }
    }

    private init(json: inout JSONReader) throws {
        var context: [ContextEntry]?
        var actions: [Action]?
        var fields: [String]?
        var maxFormats: [String: Int]?
        try json.readObject { json, key in
            switch key {
            case "context": context = try json.readArray { try ContextEntry(json: &$0) }
            case "actions": actions = try json.readArray { try Action(json: &$0) }
            case "fields": fields = try json.optional { try $0.readStrings() }
            case "assertion-max-formats":
                maxFormats = try json.optional { json in
                    var formats: [String: Int] = [:]
                    try json.readObject { json, key in formats[key.string] = try json.readInteger() }
                    return formats
                }
            default: break
            }
        }
        guard let context, let actions else { throw JSONReader.Refusal() }
        self.init(context: context, actions: actions, fields: fields, assertionMaxFormats: maxFormats)
    }
}

extension SnapActionRequest.ContextEntry {
    fileprivate init(json: inout JSONReader) throws {
        var snapID: String?
        var instanceKey: String?
        var revision: Int?
        var trackingChannel: String?
        var epoch: Epoch?
        var refreshedDate: String?
        var ignoreValidation: Bool?
        var cohortKey: String?
        var validationSets: [[String]]?
        try json.readObject { json, key in
            switch key {
            case "snap-id": snapID = try json.readString()
            case "instance-key": instanceKey = try json.readString()
            case "revision": revision = try json.readInteger()
            case "tracking-channel": trackingChannel = try json.optional { try $0.readString() }
            case "epoch": epoch = try json.readEpoch()
            case "refreshed-date": refreshedDate = try json.optional { try $0.readString() }
            case "ignore-validation": ignoreValidation = try json.optional { try $0.readBool() }
            case "cohort-key": cohortKey = try json.optional { try $0.readString() }
            case "validation-sets": validationSets = try json.optional { try $0.readArray { try $0.readStrings() } }
            default: break
            }
        }
        guard let snapID, let instanceKey, let revision else { throw JSONReader.Refusal() }
        self.init(
            snapID: snapID, instanceKey: instanceKey, revision: revision, trackingChannel: trackingChannel,
            epoch: epoch, refreshedDate: refreshedDate, ignoreValidation: ignoreValidation, cohortKey: cohortKey,
            validationSets: validationSets)
    }
}

extension SnapActionRequest.Action {
    fileprivate init(json: inout JSONReader) throws {
        var action: String?
        self.init(.refresh)
        try json.readObject { json, key in
            switch key {
            case "action": action = try json.readString()
            case "instance-key": instanceKey = try json.optional { try $0.readString() }
            case "name": name = try json.optional { try $0.readString() }
            case "snap-id": snapID = try json.optional { try $0.readString() }
            case "channel": channel = try json.optional { try $0.readString() }
            case "revision": revision = try json.optional { try $0.readInteger() }
            case "cohort-key": cohortKey = try json.optional { try $0.readString() }
            case "epoch": epoch = try json.readEpoch()
            case "ignore-validation": ignoreValidation = try json.optional { try $0.readBool() }
            case "validation-sets": validationSets = try json.optional { try $0.readArray { try $0.readStrings() } }
            case "key": self.key = try json.optional { try $0.readString() }
            case "assertions":
                assertions = try json.optional {
                    try $0.readArray { try SnapActionRequest.AssertionRequest(json: &$0) }
                }
            default: break
            }
        }
        guard let action else { throw JSONReader.Refusal() }
        self.action = action
    }
}

extension SnapActionRequest.AssertionRequest {
    fileprivate init(json: inout JSONReader) throws {
        var type: String?
        self.init(type: "")
        try json.readObject { json, key in
            switch key {
            case "type": type = try json.readString()
            case "primary-key": primaryKey = try json.optional { try $0.readStrings() }
            case "sequence-key": sequenceKey = try json.optional { try $0.readStrings() }
            case "sequence": sequence = try json.optional { try $0.readInteger() }
            case "if-newer-than": ifNewerThan = try json.optional { try $0.readInteger() }
            case "if-sequence-equal-or-newer-than":
                ifSequenceEqualOrNewerThan = try json.optional { try $0.readInteger() }
            default: break
            }
        }
        guard let type else { throw JSONReader.Refusal() }
        self.type = type
    }
}

/// The reads the request's members share, each refusing what the synthesized decoding would
/// refuse or read otherwise.
extension JSONReader {
    /// An optional member's value: null is nil, as it is for the decoder.
    fileprivate mutating func optional<Value>(_ read: (inout JSONReader) throws -> Value) throws -> Value? {
        try readNull() ? nil : try read(&self)
    }

    fileprivate mutating func readStrings() throws -> [String] {
        try readArray { try $0.readString() }
    }

    /// An epoch in either of snapd's forms; null is nil, as for the decoder, whose message names
    /// the rule a refused epoch broke.
    fileprivate mutating func readEpoch() throws -> Epoch? {
        switch try kind() {
        case .null:
            _ = try readNull()
            return nil
        case .string:
            return try Epoch.parse(try readString())
        case .object:
            var read: [UInt32]?
            var write: [UInt32]?
            try readObject { json, key in
                switch key {
                case "read": read = try json.optional { try $0.readEpochNumbers() }
                case "write": write = try json.optional { try $0.readEpochNumbers() }
                default: break
                }
            }
            return try Epoch.structured(read: read, write: write)
        default:
            throw Refusal()
        }
    }

    private mutating func readEpochNumbers() throws -> [UInt32] {
        try readArray { json in
            guard let number = UInt32(exactly: try json.readInteger()) else { throw Refusal() }
            return number
        }
    }
}
