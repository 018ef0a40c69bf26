/// The answer to a snap action (`store/store_action.go` `snapActionResultList`).
public struct SnapActionResponse: Codable, Sendable, Equatable {
    public var results: [SnapActionResult]
    public var errorList: [ErrorList.Entry]?

    public init(results: [SnapActionResult], errorList: [ErrorList.Entry]? = nil) {
        self.results = results
        self.errorList = errorList
    }

    enum CodingKeys: String, CodingKey {
        case results
        case errorList = "error-list"
    }
}

/// One result of a snap action (`snapActionResult`): a revision to install, refresh to or download,
/// an error for that action, or the assertions a `fetch-assertions` action asked for.
public struct SnapActionResult: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable {
        case install, download, refresh, error
        case fetchAssertions = "fetch-assertions"
    }

    /// The `error` of a result whose kind is `error`; `extra.releases` lists the channels that
    /// are open, which snapd shows when a channel is not.
    public struct Failure: Codable, Sendable, Hashable {
        public struct Extra: Codable, Sendable, Hashable {
            public var releases: [Release]
        }

        public struct Release: Codable, Sendable, Hashable {
            public var architecture: String
            public var channel: String

            public init(architecture: String, channel: String) {
                self.architecture = architecture
                self.channel = channel
            }
        }

        public var code: String
        public var message: String
        public var extra: Extra?

        public init(code: String, message: String, releases: [Release] = []) {
            self.code = code
            self.message = message
            self.extra = releases.isEmpty ? nil : Extra(releases: releases)
        }
    }

    /// An assertion a `fetch-assertions` action asked for that the store does not hold.
    public struct MissingAssertion: Codable, Sendable, Hashable {
        public var code: String
        public var message: String
        public var type: String
        public var primaryKey: [String]?
        public var sequenceKey: [String]?

        public init(type: String, primaryKey: [String]?, sequenceKey: [String]?) {
            self.code = "not-found"
            self.message = "\(type) not found"
            self.type = type
            self.primaryKey = primaryKey
            self.sequenceKey = sequenceKey
        }

        enum CodingKeys: String, CodingKey {
            case code, message, type
            case primaryKey = "primary-key"
            case sequenceKey = "sequence-key"
        }
    }

    public var result: Kind
    public var instanceKey: String?
    public var snapID: String?
    public var name: String?
    public var effectiveChannel: String?
    public var redirectChannel: String?
    public var snap: StoreSnap?
    public var error: Failure?
    public var key: String?
    public var assertionStreamURLs: [String]?
    public var errorList: [MissingAssertion]?

    /// A revision for an install, download or refresh action.
    public static func snap(
        _ kind: Kind, instanceKey: String, snap: StoreSnap, effectiveChannel: String, redirectChannel: String?
    ) -> SnapActionResult {
        SnapActionResult(
            result: kind, instanceKey: instanceKey, snapID: snap.snapID, name: snap.name,
            effectiveChannel: effectiveChannel, redirectChannel: redirectChannel ?? "", snap: snap)
    }

    public static func failure(instanceKey: String, name: String, snapID: String, _ error: Failure)
        -> SnapActionResult
    {
        SnapActionResult(result: .error, instanceKey: instanceKey, snapID: snapID, name: name, error: error)
    }

    public static func assertions(key: String, urls: [String], missing: [MissingAssertion]) -> SnapActionResult {
        SnapActionResult(
            result: .fetchAssertions, key: key, assertionStreamURLs: urls, errorList: missing.isEmpty ? nil : missing)
    }

    public init(
        result: Kind, instanceKey: String? = nil, snapID: String? = nil, name: String? = nil,
        effectiveChannel: String? = nil, redirectChannel: String? = nil, snap: StoreSnap? = nil, error: Failure? = nil,
        key: String? = nil, assertionStreamURLs: [String]? = nil, errorList: [MissingAssertion]? = nil
    ) {
        self.result = result
        self.instanceKey = instanceKey
        self.snapID = snapID
        self.name = name
        self.effectiveChannel = effectiveChannel
        self.redirectChannel = redirectChannel
        self.snap = snap
        self.error = error
        self.key = key
        self.assertionStreamURLs = assertionStreamURLs
        self.errorList = errorList
    }

    enum CodingKeys: String, CodingKey {
        case result
        case instanceKey = "instance-key"
        case snapID = "snap-id"
        case name
        case effectiveChannel = "effective-channel"
        case redirectChannel = "redirect-channel"
        case snap, error, key
        case assertionStreamURLs = "assertion-stream-urls"
        case errorList = "error-list"
    }
}
