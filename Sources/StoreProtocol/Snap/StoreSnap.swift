import SnapFiles

/// A snap revision as the device API describes it (`store/details_v2.go` `storeSnap`): in
/// snap-action results, info channel maps and search results.
public struct StoreSnap: Codable, Sendable, Hashable {
    public struct Download: Codable, Sendable, Hashable {
        public var sha3_384: String
        public var size: UInt64
        public var url: String
        public var deltas: [Delta]

        public init(sha3_384: String, size: UInt64, url: String, deltas: [Delta] = []) {
            self.sha3_384 = sha3_384
            self.size = size
            self.url = url
            self.deltas = deltas
        }

        enum CodingKeys: String, CodingKey {
            case sha3_384 = "sha3-384"
            case size, url, deltas
        }
    }

    /// A binary delta between two revisions (`storeSnapDelta`).
    public struct Delta: Codable, Sendable, Hashable {
        public var format: String
        public var sha3_384: String
        public var size: UInt64
        public var source: Int
        public var target: Int
        public var url: String

        public init(format: String, sha3_384: String, size: UInt64, source: Int, target: Int, url: String) {
            self.format = format
            self.sha3_384 = sha3_384
            self.size = size
            self.source = source
            self.target = target
            self.url = url
        }

        enum CodingKeys: String, CodingKey {
            case format
            case sha3_384 = "sha3-384"
            case size, source, target, url
        }
    }

    /// An icon or screenshot (`storeSnapMedia`).
    public struct Media: Codable, Sendable, Hashable {
        public var type: String
        public var url: String
        public var width: Int?
        public var height: Int?
    }

    public var architectures: [String]
    public var base: String?
    public var confinement: String
    public var contact: String
    public var createdAt: String
    public var description: String
    public var download: Download
    public var epoch: Epoch
    public var license: String
    public var name: String
    public var prices: [String: String]
    public var isPrivate: Bool
    public var publisher: SnapPublisher
    public var revision: Int
    public var snapID: String
    public var snapYAML: String?
    public var summary: String
    public var title: String
    public var type: String
    public var version: String
    public var website: String
    public var storeURL: String
    public var media: [Media]
    public var commonIDs: [String]

    public init(
        name: String, snapID: String, revision: Int, version: String, type: String, base: String?,
        confinement: String, epoch: Epoch, architectures: [String], download: Download, publisher: SnapPublisher,
        summary: String, description: String, title: String, license: String, isPrivate: Bool, createdAt: String,
        snapYAML: String?
    ) {
        self.architectures = architectures
        self.base = base
        self.confinement = confinement
        self.contact = ""
        self.createdAt = createdAt
        self.description = description
        self.download = download
        self.epoch = epoch
        self.license = license
        self.name = name
        self.prices = [:]
        self.isPrivate = isPrivate
        self.publisher = publisher
        self.revision = revision
        self.snapID = snapID
        self.snapYAML = snapYAML
        self.summary = summary
        self.title = title
        self.type = type
        self.version = version
        self.website = ""
        self.storeURL = ""
        self.media = []
        self.commonIDs = []
    }

    enum CodingKeys: String, CodingKey {
        case architectures, base, confinement, contact
        case createdAt = "created-at"
        case description, download, epoch, license, name, prices
        case isPrivate = "private"
        case publisher, revision
        case snapID = "snap-id"
        case snapYAML = "snap-yaml"
        case summary, title, type, version, website
        case storeURL = "store-url"
        case media
        case commonIDs = "common-ids"
    }
}

/// The publisher of a snap as the store shows it (snapd's `snap.StoreAccount`).
public struct SnapPublisher: Codable, Sendable, Hashable {
    public var id: String
    public var username: String
    public var displayName: String
    /// `unproven`, `verified` or `starred`.
    public var validation: String

    public init(id: String, username: String, displayName: String, validation: String) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.validation = validation
    }

    enum CodingKeys: String, CodingKey {
        case id, username
        case displayName = "display-name"
        case validation
    }
}
