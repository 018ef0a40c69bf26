import Foundation
import StoreCore
import StoreProtocol

/// The objects snapcraft and craft-store parse, with exactly the keys their models accept
/// (craft-store's `publisher/_response.py`, `models/`): no key they require is missing, no key a
/// strict model refuses is added, and required keys without a value are written as null.
enum PublisherViews {
    /// A macaroon handed out or taken in, in both dialects (`{"macaroon": …}`).
    struct Macaroon: Codable, Sendable {
        let macaroon: String
    }

    struct Progressive: Encodable, Sendable {
        let paused: Nullable<Bool>
        let percentage: Nullable<Double>
        /// Absent in v1 release answers, whose model has no such key.
        let currentPercentage: Nullable<Double>?

        init(_ progressive: ChannelRelease.Progressive?, withCurrent: Bool = true) {
            paused = Nullable(progressive?.paused)
            percentage = Nullable(progressive?.percentage)
            currentPercentage = withCurrent ? Nullable(progressive?.percentage) : nil
        }

        init(historical percentage: Double?) {
            paused = nil
            self.percentage = Nullable(percentage)
            currentPercentage = Nullable(percentage)
        }

        enum CodingKeys: String, CodingKey {
            case paused, percentage
            case currentPercentage = "current-percentage"
        }
    }

    /// One `channel-map` entry; closed channels are simply absent. The v1 (publisher gateway)
    /// answer adds `base`, which craft-store's `PublisherGateway` reads as a charm-style object
    /// (name, channel, architecture) or null: null for a snap, whose base is its revision's
    /// `base` string (a string here broke `list_releases` for every snap with a base).
    struct ChannelMapEntry: Encodable, Sendable {
        let architecture: String
        let channel: String
        let expirationDate: Nullable<String>
        let progressive: Progressive
        let revision: Int
        let when: String
        let base: Nullable<String>?

        init(_ release: ChannelRelease, publisherGateway: Bool = false) {
            architecture = release.architecture
            channel = release.channel.name
            expirationDate = Nullable(release.expiresAt.map(WireTime.string))
            progressive = Progressive(release.progressive, withCurrent: !publisherGateway)
            revision = release.revision
            when = WireTime.string(release.releasedAt)
            base = publisherGateway ? .some(nil) : nil
        }

        enum CodingKeys: String, CodingKey {
            case architecture, channel
            case expirationDate = "expiration-date"
            case progressive, revision, when, base
        }
    }

    /// The four risks of each track, each falling back to the safer one.
    struct ChannelDescription: Encodable, Sendable {
        let name: String
        let track: String
        let risk: String
        let branch: Nullable<String>
        let fallback: Nullable<String>

        static func all(_ map: ChannelMap) -> [ChannelDescription] {
            map.tracks.flatMap { track in
                Risk.allCases.enumerated().map { index, risk in
                    ChannelDescription(
                        name: "\(track)/\(risk.rawValue)", track: track, risk: risk.rawValue, branch: nil,
                        fallback: Nullable(index == 0 ? nil : "\(track)/\(Risk.allCases[index - 1].rawValue)"))
                }
            }
        }
    }

    struct Track: Encodable, Sendable {
        let name: String
        let status: String
        let creationDate: String
        let versionPattern: Nullable<String>

        static func all(_ map: ChannelMap, createdAt: Int64) -> [Track] {
            map.tracks.map {
                Track(
                    name: $0, status: $0 == map.defaultTrack ? "default" : "active",
                    creationDate: WireTime.string(createdAt), versionPattern: nil)
            }
        }

        enum CodingKeys: String, CodingKey {
            case name, status
            case creationDate = "creation-date"
            case versionPattern = "version-pattern"
        }
    }

    /// A revision in snapcraft's strict `Revision` model (dashboard releases; v1 revisions), or,
    /// with `createdBy` and `type` instead of `epoch` and `attributes`, in craft-store's
    /// `SnapRevisionModel` (v1 releases).
    struct Revision: Encodable, Sendable {
        struct Epoch: Encodable, Sendable {
            let read: [UInt32]
            let write: [UInt32]
        }

        let architectures: [String]
        let confinement: String
        let createdAt: String
        let grade: String
        let revision: Int
        let sha3_384: String
        let size: UInt64
        let status: String
        let version: String
        let epoch: Epoch?
        let attributes: EmptyObject?
        let buildURL: Nullable<String>
        let base: String?
        let createdBy: String?
        let type: String?

        init(_ record: RevisionRecord, createdBy publisherID: String? = nil) {
            architectures = record.architectures
            confinement = record.confinement
            createdAt = WireTime.string(record.createdAt)
            grade = record.grade ?? "stable"
            revision = record.revision
            sha3_384 = record.sha3_384
            size = record.size
            status = "Published"
            version = record.version
            let full = publisherID != nil
            epoch = full ? nil : Epoch(read: record.epoch.read, write: record.epoch.write)
            attributes = full ? nil : EmptyObject()
            buildURL = nil
            base = record.base.isEmpty ? nil : record.base
            createdBy = publisherID
            type = full ? (record.type == "os" ? "base" : record.type) : nil
        }

        enum CodingKeys: String, CodingKey {
            case architectures, confinement
            case createdAt = "created-at"
            case grade, revision
            case sha3_384 = "sha3-384"
            case size, status, version, epoch, attributes
            case buildURL = "build-url"
            case base
            case createdBy = "created-by"
            case type
        }
    }

    /// A registered name in craft-store's `RegisteredNameModel`.
    struct RegisteredName: Encodable, Sendable {
        struct TrackCreated: Encodable, Sendable {
            let name: String
            let createdAt: String

            enum CodingKeys: String, CodingKey {
                case name
                case createdAt = "created-at"
            }
        }

        let id: String
        let name: String
        let isPrivate: Bool
        let status: String
        let store: String
        let type: String
        let defaultTrack: String
        let publisher: SnapPublisher
        let tracks: [TrackCreated]

        init(_ dossier: SnapDossier) {
            let snap = dossier.snap
            id = snap.snapID
            name = snap.name
            isPrivate = snap.isPrivate
            status = "registered"
            store = snap.store ?? "Global"
            type = "snap"
            defaultTrack = dossier.channelMap.defaultTrack
            publisher = SnapPublisher(dossier.publisher, id: snap.publisherID)
            tracks = dossier.channelMap.tracks.map {
                TrackCreated(name: $0, createdAt: WireTime.string(snap.createdAt))
            }
        }

        enum CodingKeys: String, CodingKey {
            case id, name
            case isPrivate = "private"
            case status, store, type
            case defaultTrack = "default-track"
            case publisher, tracks
        }
    }

    /// The released revisions of a snap, newest upload last, as channel-map answers list them.
    static func releasedRevisions(_ dossier: SnapDossier) -> [RevisionRecord] {
        let released = Set(dossier.channelMap.releases.map(\.revision))
        return dossier.revisions.filter { released.contains($0.revision) }
    }
}
