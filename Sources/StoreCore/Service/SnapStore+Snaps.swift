import Assertions
import DepotCrypto
import SnapFiles

extension SnapStore {
    /// Registers a name for a publisher and signs its `snap-declaration`. The well-known names
    /// (`core`, `snapd`, `core18`–`core24`) are the admin's alone in the global store, and get their
    /// well-known snap-ids so that UC20+ models that leave them out still resolve: the first
    /// publisher to ask must not take the base every device boots from. `snapID` fixes the id
    /// (admin only: seeding a reproducible world, or keeping an upstream identity).
    public func register(
        name: String, publisherID: String? = nil, store: String? = nil, isPrivate: Bool = false,
        snapID fixedSnapID: String? = nil, by principal: Principal
    ) async throws -> SnapRecord {
        guard let publisher = publisherID ?? principal.accountID else {
            throw StoreError(.invalid, "the admin must name the publisher of a registration")
        }
        try principal.requireActing(for: publisher, .register)
        try principal.limits.require(package: name)
        guard NameRule.snapName.matches(name) else {
            throw StoreError(
                .invalid, "invalid snap name \"\(name)\": 2–40 of a-z, 0-9 and -, with a letter, no -- or edge -")
        }
        let wellKnown = store == nil ? WellKnownSnaps.id(of: name) : nil
        if wellKnown != nil || fixedSnapID != nil {
            guard principal.isAdmin else {
                throw StoreError(
                    .forbidden,
                    wellKnown != nil
                        ? "\"\(name)\" is a well-known snap: only the admin registers it, for its publisher"
                        : "only the admin fixes a snap-id")
            }
        }
        if let fixedSnapID, !Identifiers.isValidSnapID(fixedSnapID) {
            throw StoreError(.invalid, "invalid snap-id \"\(fixedSnapID)\": 32 of a-z, A-Z and 0-9")
        }
        guard try await catalogue.account(id: publisher) != nil else {
            throw StoreError(.notFound, "no account \"\(publisher)\"")
        }
        try await requireBrandStoreRight(store, publisher: publisher, by: principal)
        if let existing = try await catalogue.snap(name: name, store: store) {
            throw StoreError(
                .conflict,
                existing.publisherID == publisher
                    ? "you already registered \"\(name)\"" : "the name \"\(name)\" is registered to another publisher")
        }
        if store != nil, let global = try await catalogue.snap(name: name, store: nil), global.publisherID != publisher
        {
            // A device of that brand would install this one in place of the global snap it asked for.
            throw StoreError(
                .conflict, "the name \"\(name)\" is a global snap of another publisher: a brand store cannot shadow it")
        }
        let snapID = fixedSnapID ?? wellKnown ?? Identifiers.random(count: 32)
        if try await catalogue.snap(id: snapID) != nil {
            throw StoreError(.conflict, "snap-id \"\(snapID)\" is already taken")
        }
        let now = clock()
        let record = SnapRecord(
            snapID: snapID, name: name, publisherID: publisher, store: store, isPrivate: isPrivate,
            createdAt: now.seconds)
        let declaration = try signer.declaration(snapID: snapID, name: name, publisherID: publisher, now: now)
        try await catalogue.registerSnap(record, declaration: declaration)
        return record
    }

    /// Takes an uploaded file (already hashed and synced by the blob store) as the next revision of
    /// `name`, signs its `snap-revision`, and releases it where asked. `revision` fixes the number
    /// (admin only, for seeding); otherwise the store assigns the next one.
    public func upload(
        _ blob: IngestedBlob, name: String, store: String? = nil, revision fixedRevision: Int? = nil,
        release channels: [String] = [], by principal: Principal
    ) async throws -> RevisionRecord {
        do {
            let snap = try await self.snap(named: name, store: store)
            try requirePublisher(snap, principal, .push)
            if fixedRevision != nil { try principal.requireAdmin() }
            let file = try Self.open(blob)
            guard file.metadata.name == snap.name else {
                throw StoreError(
                    .invalid, "the snap's snap.yaml names \"\(file.metadata.name)\", not \"\(snap.name)\"")
            }
            guard file.metadata.provenance == SnapRevision.defaultProvenance else {
                throw StoreError(
                    .invalid,
                    "snaps with provenance \"\(file.metadata.provenance)\" are signed by their revision authority; import them with their assertions"
                )
            }
            return try await exclusively(onSnap: snap.snapID) {
                let existing = try await catalogue.revisions(snapID: snap.snapID)
                if let duplicate = existing.first(where: { $0.sha3_384 == blob.hex }) {
                    throw StoreError(.conflict, "this file is already revision \(duplicate.revision) of \(snap.name)")
                }
                let number = fixedRevision ?? ((existing.map(\.revision).max() ?? 0) + 1)
                guard number >= 1 else { throw StoreError(.invalid, "revisions start at 1") }
                if existing.contains(where: { $0.revision == number }) {
                    throw StoreError(.conflict, "revision \(number) of \(snap.name) exists already")
                }
                let now = clock()
                let record = Self.record(for: file, snapID: snap.snapID, revision: number, digest: blob.hex, now: now)
                let assertion = try signer.revision(
                    record, digest: Base64.urlEncoded(blob.sha3_384), developerID: snap.publisherID, now: now)
                let (map, events) = try await releasing(record, into: channels, snap: snap, by: principal, now: now)
                try await persist(record, blob: blob, assertions: [assertion], channelMap: map, events: events)
                return record
            }
        } catch {
            blobs.discard(blob)
            throw error
        }
    }

    /// Reads an ingested upload as a snap, or says why it is not one.
    static func open(_ blob: IngestedBlob) throws(StoreError) -> SnapFile {
        do {
            return try SnapFile.open(path: blob.temporaryPath, digest: (blob.sha3_384, blob.size))
        } catch {
            throw StoreError(.invalid, "the file is not a valid snap: \(error.message)")
        }
    }

    /// Moves the blob into place, then adds the revision row: a revision never exists without
    /// its blob, and a blob left by a failed insert is removed (or by the next start's clean-up).
    func persist(
        _ record: RevisionRecord, blob: IngestedBlob, assertions: [Assertion], channelMap: ChannelMap?,
        events: [ReleaseEvent]
    ) async throws {
        try blobs.commit(blob)
        CrashPoint.reached(.blobCommitted)
        do {
            try await catalogue.addRevision(record, assertions: assertions, channelMap: channelMap, events: events)
        } catch {
            await removeBlobIfUnused(blob.hex)
            throw error
        }
        CrashPoint.reached(.revisionCommitted)
    }

    /// After a failed insert: the blob goes unless another revision has the same bytes.
    func removeBlobIfUnused(_ digest: String) async {
        if (try? await catalogue.revisions(sha3_384: digest).isEmpty) == true {
            blobs.remove(digest: digest)
        }
    }

    static func record(for file: SnapFile, snapID: String, revision: Int, digest: String, now: Timestamp)
        -> RevisionRecord
    {
        let metadata = file.metadata
        return RevisionRecord(
            snapID: snapID, revision: revision, version: metadata.version, type: metadata.type.rawValue,
            base: metadata.base, architectures: metadata.architectures, epoch: metadata.epoch,
            confinement: metadata.confinement.rawValue, grade: metadata.grade,
            provenance: metadata.provenance, sha3_384: digest, size: file.size, snapYAML: metadata.rawYAML,
            createdAt: now.seconds)
    }
}

extension SnapStore {
    /// A brand store is its brand's: a publisher registers there only when a model of its own
    /// names that store (the real store's brand-store admins invite the rest; here the admin
    /// registers for them).
    func requireBrandStoreRight(_ store: String?, publisher: String, by principal: Principal) async throws {
        guard let store, !principal.isAdmin else { return }
        let owned = try await catalogue.assertions(ofType: .model).contains {
            $0.string("brand-id") == publisher && $0.string("store") == store
        }
        guard owned else {
            throw StoreError(
                .forbidden,
                "the brand store \"\(store)\" is not yours: only a brand whose model names it registers there")
        }
    }
}
