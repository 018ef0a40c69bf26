import SnapFiles

extension SnapActionRequest {
    /// Reads a body as the synthesized `Decodable` conformance does (required keys, optional ones
    /// absent or null, unknown ones ignored), from `JSONReader`'s tree. Anything read differently
    /// is refused, and the caller decodes with `JSONDecoder`, which is the reference.
    public init(reading body: some Collection<UInt8>) throws(JSONReader.Refusal) {
        let json = try JSONReader.read(body)
        guard case .object = json else { throw JSONReader.Refusal() }
        var context: [ContextEntry] = []
        for entry in try json.objects("context", required: true) {
            context.append(
                ContextEntry(
                    snapID: try entry.string("snap-id"), instanceKey: try entry.string("instance-key"),
                    revision: try entry.integer("revision"),
                    trackingChannel: try entry.optionalString("tracking-channel"),
                    epoch: try entry.epoch("epoch"), refreshedDate: try entry.optionalString("refreshed-date"),
                    ignoreValidation: try entry.optionalBool("ignore-validation"),
                    cohortKey: try entry.optionalString("cohort-key"),
                    validationSets: try entry.optionalStringLists("validation-sets")))
        }
        var actions: [Action] = []
        for entry in try json.objects("actions", required: true) {
            var action = Action(
                .refresh, instanceKey: try entry.optionalString("instance-key"), name: try entry.optionalString("name"),
                snapID: try entry.optionalString("snap-id"), channel: try entry.optionalString("channel"),
                revision: try entry.optionalInteger("revision"), cohortKey: try entry.optionalString("cohort-key"),
                epoch: try entry.epoch("epoch"), ignoreValidation: try entry.optionalBool("ignore-validation"),
                validationSets: try entry.optionalStringLists("validation-sets"), key: try entry.optionalString("key"))
            action.action = try entry.string("action")
            if entry["assertions"] != nil {
                var assertions: [AssertionRequest] = []
                for wanted in try entry.objects("assertions", required: false) {
                    assertions.append(
                        AssertionRequest(
                            type: try wanted.string("type"), primaryKey: try wanted.optionalStrings("primary-key"),
                            sequenceKey: try wanted.optionalStrings("sequence-key"),
                            sequence: try wanted.optionalInteger("sequence"),
                            ifNewerThan: try wanted.optionalInteger("if-newer-than"),
                            ifSequenceEqualOrNewerThan: try wanted.optionalInteger("if-sequence-equal-or-newer-than")))
                }
                action.assertions = assertions
            }
            actions.append(action)
        }
        var maxFormats: [String: Int]?
        if let formats = json["assertion-max-formats"] {
            guard case .object(let members) = formats else { throw JSONReader.Refusal() }
            var read: [String: Int] = [:]
            for (name, value) in members {
                guard case .integer(let number) = value else { throw JSONReader.Refusal() }
                read[name] = number
            }
            maxFormats = read
        }
        self.init(
            context: context, actions: actions, fields: try json.optionalStrings("fields"),
            assertionMaxFormats: maxFormats)
    }
}

/// The typed reads of one member, each refusing what the synthesized decoding would refuse or
/// read otherwise.
extension JSONReader.Value {
    fileprivate func string(_ key: String) throws(JSONReader.Refusal) -> String {
        guard case .string(let text) = self[key] else { throw JSONReader.Refusal() }
        return text
    }

    fileprivate func optionalString(_ key: String) throws(JSONReader.Refusal) -> String? {
        guard let value = self[key] else { return nil }
        guard case .string(let text) = value else { throw JSONReader.Refusal() }
        return text
    }

    fileprivate func integer(_ key: String) throws(JSONReader.Refusal) -> Int {
        guard case .integer(let number) = self[key] else { throw JSONReader.Refusal() }
        return number
    }

    fileprivate func optionalInteger(_ key: String) throws(JSONReader.Refusal) -> Int? {
        guard let value = self[key] else { return nil }
        guard case .integer(let number) = value else { throw JSONReader.Refusal() }
        return number
    }

    fileprivate func optionalBool(_ key: String) throws(JSONReader.Refusal) -> Bool? {
        guard let value = self[key] else { return nil }
        guard case .bool(let flag) = value else { throw JSONReader.Refusal() }
        return flag
    }

    fileprivate func optionalStrings(_ key: String) throws(JSONReader.Refusal) -> [String]? {
        guard let value = self[key] else { return nil }
        return try value.strings()
    }

    fileprivate func strings() throws(JSONReader.Refusal) -> [String] {
        guard case .array(let elements) = self else { throw JSONReader.Refusal() }
        var texts: [String] = []
        texts.reserveCapacity(elements.count)
        for element in elements {
            guard case .string(let text) = element else { throw JSONReader.Refusal() }
            texts.append(text)
        }
        return texts
    }

    fileprivate func optionalStringLists(_ key: String) throws(JSONReader.Refusal) -> [[String]]? {
        guard let value = self[key] else { return nil }
        guard case .array(let lists) = value else { throw JSONReader.Refusal() }
        var read: [[String]] = []
        for list in lists { read.append(try list.strings()) }
        return read
    }

    /// The objects of an array member; a missing array is a refusal when `required`.
    fileprivate func objects(_ key: String, required: Bool) throws(JSONReader.Refusal) -> [JSONReader.Value] {
        guard let value = self[key] else {
            if required { throw JSONReader.Refusal() }
            return []
        }
        guard case .array(let elements) = value,
            elements.allSatisfy({ if case .object = $0 { true } else { false } })
        else { throw JSONReader.Refusal() }
        return elements
    }

    /// An epoch in either of snapd's forms; null and absent are nil, as for the decoder.
    fileprivate func epoch(_ key: String) throws(JSONReader.Refusal) -> Epoch? {
        guard let value = self[key] else { return nil }
        do {
            switch value {
            case .string(let text):
                return try Epoch.parse(text)
            case .object:
                return try Epoch.structured(read: try value.epochList("read"), write: try value.epochList("write"))
            default:
                throw JSONReader.Refusal()
            }
        } catch {
            // The decoder's message names the rule the epoch broke.
            throw JSONReader.Refusal()
        }
    }

    private func epochList(_ key: String) throws(JSONReader.Refusal) -> [UInt32]? {
        guard let value = self[key] else { return nil }
        guard case .array(let elements) = value else { throw JSONReader.Refusal() }
        var numbers: [UInt32] = []
        for element in elements {
            guard case .integer(let number) = element, let fitted = UInt32(exactly: number) else {
                throw JSONReader.Refusal()
            }
            numbers.append(fitted)
        }
        return numbers
    }
}
