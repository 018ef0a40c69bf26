import Assertions
import SnapFiles

/// A publisher or brand account of this store.
public struct StoreAccount: Sendable, Codable, Equatable {
    public let id: String
    public let username: String
    public let displayName: String
    /// `unproven`, `verified` or `starred`.
    public let validation: String
    public let createdAt: Int64

    public init(id: String, username: String, displayName: String, validation: String, createdAt: Int64) {
        self.id = id
        self.username = username
        self.displayName = displayName
        self.validation = validation
        self.createdAt = createdAt
    }
}

/// Who a token speaks for: the store's administrator, or a publisher account.
public enum Role: String, Sendable, Codable {
    case admin
    case publisher
}

public struct TokenRecord: Sendable, Equatable {
    /// SHA3-384 of the token, hex: the token itself is never stored.
    public let hash: String
    public let accountID: String?
    public let role: Role
    public let description: String
    public let createdAt: Int64
    /// When it stops working; nil for never.
    public let expiresAt: Int64?

    public init(
        hash: String, accountID: String?, role: Role, description: String, createdAt: Int64, expiresAt: Int64? = nil
    ) {
        self.hash = hash
        self.accountID = accountID
        self.role = role
        self.description = description
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// How a token is named when listed and revoked: the start of its hash, never the token.
    public var id: String { String(hash.prefix(12)) }
}

/// A registered snap name.
public struct SnapRecord: Sendable, Codable, Equatable {
    public let snapID: String
    public let name: String
    public let publisherID: String
    /// The brand store it lives in; nil for the store's own catalogue.
    public let store: String?
    public let isPrivate: Bool
    public let createdAt: Int64

    public init(snapID: String, name: String, publisherID: String, store: String?, isPrivate: Bool, createdAt: Int64) {
        self.snapID = snapID
        self.name = name
        self.publisherID = publisherID
        self.store = store
        self.isPrivate = isPrivate
        self.createdAt = createdAt
    }
}

/// One uploaded (or imported) revision of a snap and what its snap.yaml says.
/// A class, immutable like the dossier that holds it: a refresh passes revisions through several
/// steps for every snap, and a copy is then one retain rather than one per field (docs/performance.md).
public final class RevisionRecord: Sendable, Codable, Equatable {
    public let snapID: String
    public let revision: Int
    public let version: String
    public let type: String
    public let base: String
    public let architectures: [String]
    public let epoch: Epoch
    public let confinement: String
    public let grade: String?
    public let provenance: String
    /// Lower-case hex, as the JSON `download.sha3-384`.
    public let sha3_384: String
    public let size: UInt64
    public let snapYAML: String
    public let createdAt: Int64

    public init(
        snapID: String, revision: Int, version: String, type: String, base: String, architectures: [String],
        epoch: Epoch, confinement: String, grade: String?, provenance: String,
        sha3_384: String, size: UInt64, snapYAML: String, createdAt: Int64
    ) {
        self.snapID = snapID
        self.revision = revision
        self.version = version
        self.type = type
        self.base = base
        self.architectures = architectures
        self.epoch = epoch
        self.confinement = confinement
        self.grade = grade
        self.provenance = provenance
        self.sha3_384 = sha3_384
        self.size = size
        self.snapYAML = snapYAML
        self.createdAt = createdAt
    }

    public static func == (left: RevisionRecord, right: RevisionRecord) -> Bool {
        left === right
            || (left.snapID == right.snapID && left.revision == right.revision && left.version == right.version
                && left.type == right.type && left.base == right.base && left.architectures == right.architectures
                && left.epoch == right.epoch && left.confinement == right.confinement && left.grade == right.grade
                && left.provenance == right.provenance && left.sha3_384 == right.sha3_384 && left.size == right.size
                && left.snapYAML == right.snapYAML && left.createdAt == right.createdAt)
    }
}

/// A delta the store made from one revision of a snap to another. When it came out no smaller than
/// the store wants to announce (`SnapStore.deltaWorthwhile`), no blob is kept (`sha3_384` nil), so
/// the pair is not tried again.
public struct DeltaRecord: Sendable, Codable, Equatable {
    public let snapID: String
    public let source: Int
    public let target: Int
    public let format: String
    /// Lower-case hex of the delta's bytes; nil for a delta not worth sending.
    public let sha3_384: String?
    public let size: UInt64
    public let createdAt: Int64

    public init(
        snapID: String, source: Int, target: Int, format: String, sha3_384: String?, size: UInt64, createdAt: Int64
    ) {
        self.snapID = snapID
        self.source = source
        self.target = target
        self.format = format
        self.sha3_384 = sha3_384
        self.size = size
        self.createdAt = createdAt
    }
}

/// One change to a channel map, as `snapcraft` shows release history.
public struct ReleaseEvent: Sendable, Codable, Equatable {
    public enum Action: String, Sendable, Codable {
        case release, close, progressive
        /// A rollout the store stopped by itself (its health gate), or that was resumed or aborted.
        case halt, resume, abort
    }

    public let snapID: String
    public let channel: String
    public let architectures: [String]
    public let revision: Int?
    public let action: Action
    public let percentage: Double?
    public let accountID: String?
    public let at: Int64
    /// The group a targeted release went to.
    public let group: String?
    /// Why, for a halt: the reason and the counts.
    public let detail: String?

    public init(
        snapID: String, channel: String, architectures: [String], revision: Int?, action: Action, percentage: Double?,
        accountID: String?, at: Int64, group: String? = nil, detail: String? = nil
    ) {
        self.snapID = snapID
        self.channel = channel
        self.architectures = architectures
        self.revision = revision
        self.action = action
        self.percentage = percentage
        self.accountID = accountID
        self.at = at
        self.group = group
        self.detail = detail
    }
}

/// One snap as a device sees it: the name, its channel map, its revisions, publisher and listing.
///
/// A class, and immutable: catalogues keep dossiers between refreshes, and a refresh hands each one
/// through many steps; one reference is a copy that costs one retain, not one per field. Its
/// identity also says "read at the same moment", which `SnapActionAnswer` keys on.
public final class SnapDossier: Sendable {
    public let snap: SnapRecord
    public let channelMap: ChannelMap
    /// Oldest first.
    public let revisions: [RevisionRecord]
    public let publisher: StoreAccount?
    public let listing: SnapListing
    /// Every delta made between its revisions, worth sending or not.
    public let deltas: [DeltaRecord]
    private let revisionsByNumber: [Int: RevisionRecord]

    public init(
        snap: SnapRecord, channelMap: ChannelMap, revisions: [RevisionRecord], publisher: StoreAccount?,
        listing: SnapListing, deltas: [DeltaRecord] = []
    ) {
        self.snap = snap
        self.channelMap = channelMap
        self.revisions = revisions
        self.publisher = publisher
        self.listing = listing
        self.deltas = deltas
        revisionsByNumber = Dictionary(revisions.map { ($0.revision, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The revision numbered `number`, if the snap has it.
    public func revision(_ number: Int) -> RevisionRecord? {
        revisionsByNumber[number]
    }

    /// The delta from `source` to `target` in `format`, made or found not worth making.
    public func delta(from source: Int, to target: Int, format: String) -> DeltaRecord? {
        deltas.first { $0.source == source && $0.target == target && $0.format == format }
    }
}
