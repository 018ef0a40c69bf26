/// The answer to `GET /v2/snaps/info/NAME` (`store/details_v2.go` `storeInfo`): the snap, and one
/// entry per open channel and architecture.
public struct SnapInfo: Codable, Sendable, Equatable {
    /// A snap in one channel (`storeInfoChannelSnap`: a `storeSnap` with its channel beside it).
    public struct ChannelSnap: Codable, Sendable, Equatable {
        public var snap: StoreSnap
        public var channel: ChannelDescription

        public init(snap: StoreSnap, channel: ChannelDescription) {
            self.snap = snap
            self.channel = channel
        }

        public init(from decoder: any Decoder) throws {
            snap = try StoreSnap(from: decoder)
            channel = try decoder.container(keyedBy: CodingKeys.self).decode(ChannelDescription.self, forKey: .channel)
        }

        public func encode(to encoder: any Encoder) throws {
            try snap.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(channel, forKey: .channel)
        }

        enum CodingKeys: String, CodingKey {
            case channel
        }
    }

    /// `storeInfoChannel`.
    public struct ChannelDescription: Codable, Sendable, Equatable {
        public var architecture: String
        public var name: String
        public var risk: String
        public var track: String
        public var releasedAt: String

        public init(architecture: String, channel: Channel, releasedAt: String) {
            self.architecture = architecture
            self.name = channel.name
            self.risk = channel.risk.rawValue
            self.track = channel.track
            self.releasedAt = releasedAt
        }

        enum CodingKeys: String, CodingKey {
            case architecture, name, risk, track
            case releasedAt = "released-at"
        }
    }

    /// The snap-wide fields of `storeInfo.snap`; snapd copies them over the channel entry's.
    public struct Details: Codable, Sendable, Equatable {
        public var name: String
        public var snapID: String
        public var summary: String
        public var description: String
        public var title: String
        public var license: String
        public var publisher: SnapPublisher
        public var media: [StoreSnap.Media]

        public init(
            name: String, snapID: String, summary: String, description: String, title: String, license: String,
            publisher: SnapPublisher
        ) {
            self.name = name
            self.snapID = snapID
            self.summary = summary
            self.description = description
            self.title = title
            self.license = license
            self.publisher = publisher
            self.media = []
        }

        enum CodingKeys: String, CodingKey {
            case name
            case snapID = "snap-id"
            case summary, description, title, license, publisher, media
        }
    }

    public var name: String
    public var snapID: String
    public var channelMap: [ChannelSnap]
    public var snap: Details

    public init(name: String, snapID: String, channelMap: [ChannelSnap], snap: Details) {
        self.name = name
        self.snapID = snapID
        self.channelMap = channelMap
        self.snap = snap
    }

    enum CodingKeys: String, CodingKey {
        case name
        case snapID = "snap-id"
        case channelMap = "channel-map"
        case snap
    }
}
