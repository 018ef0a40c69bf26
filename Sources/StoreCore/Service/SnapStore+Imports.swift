import Assertions
import DepotCrypto
import SnapFiles

/// What an import did with each assertion.
public struct ImportReport: Sendable, Codable, Equatable {
    public let imported: [String]
}

extension SnapStore {
    /// A trust database holding the store's roots and every stored assertion an import may lean
    /// on: accounts, account-keys, models, stores, and the declarations the batch refers to.
    func trustDatabase(for batch: [Assertion]) async throws -> TrustDatabase {
        var prerequisites: [Assertion] = [identity.storeAccountKey]
        for type in [AssertionType.account, .accountKey, .model, .store] {
            prerequisites += try await catalogue.assertions(ofType: type)
        }
        let roots = identity.trusted + extraTrusted
        let trustedPaths = Set(roots.map(\.reference.path))
        let stored = prerequisites.filter { !trustedPaths.contains($0.reference.path) }
        let now = clock()
        // A stored assertion that no longer verifies (its key expired, say) is left out: the
        // requests that need it fail with their own reason, and every other request goes on.
        // The roots are part of what the cached database was built from: a root trusted at run time rebuilds it.
        var database = try await trustCache.database(for: roots + stored, now: now.seconds) { @Sendable in
            var database = try TrustDatabase(trusted: roots, now: now)
            _ = database.addAll(stored)
            return database
        }
        var declarations: [Assertion] = []
        let naming = batch.filter { $0.type == .snapRevision || $0.type == .snapDeveloper }
        for snapID in Set(naming.map { $0.string("snap-id") }) {
            if let declaration = try await catalogue.assertion(AssertionReference(.snapDeclaration, ["16", snapID])) {
                declarations.append(declaration)
            }
        }
        _ = database.addAll(declarations)
        return database
    }

    /// Checks a batch in any order against the store's trust database and stores all of it, or
    /// none of it. The same bytes again succeed and change nothing.
    public func importAssertions(_ batch: [Assertion], by principal: Principal) async throws -> ImportReport {
        try principal.requireAdmin()
        let trustedPaths = Set((identity.trusted + extraTrusted).map(\.reference.path))
        let storable = batch.filter { !trustedPaths.contains($0.reference.path) }
        if let request = storable.first(where: { !$0.type.hasAuthority }) {
            throw StoreError(.invalid, "\(request.type.name) assertions are requests, not something a store keeps")
        }
        var database = try await trustDatabase(for: storable)
        let refused = database.addAll(storable)
        if !refused.isEmpty {
            let reasons = refused.map { "\($0.assertion): \($0.error.message)" }.joined(separator: "; ")
            throw StoreError(.invalid, "refused, nothing imported: \(reasons)")
        }
        do {
            try await catalogue.putAssertions(storable)
        } catch {
            throw StoreError(.conflict, "\(error)")
        }
        return ImportReport(imported: storable.map(\.reference.description))
    }

    /// Imports a snap with its assertions as `snap download` writes them (or with them already
    /// imported), keeping the upstream snap-id, publisher and revision, as an air-gapped store does.
    public func importSnap(
        _ blob: IngestedBlob, assertions: [Assertion], release channels: [String] = [], by principal: Principal
    )
        async throws -> RevisionRecord
    {
        do {
            try principal.requireAdmin()
            _ = try await importAssertions(assertions, by: principal)
            let digest = Base64.urlEncoded(blob.sha3_384)
            guard
                let revisionAssertion = try await catalogue.assertion(
                    AssertionReference(.snapRevision, [digest, SnapRevision.defaultProvenance]))
                    ?? (assertions.first { $0.type == .snapRevision && $0.string("snap-sha3-384") == digest })
            else {
                throw StoreError(
                    .invalid,
                    "no snap-revision assertion for this file (sha3-384 \(digest)); import it first or pass the .assert file"
                )
            }
            let revision = try SnapRevision(revisionAssertion)
            guard revision.snapSize == blob.size else {
                throw StoreError(
                    .invalid, "the snap-revision says \(revision.snapSize) bytes, the file has \(blob.size)")
            }
            guard
                let declarationAssertion = try await catalogue.assertion(
                    AssertionReference(.snapDeclaration, ["16", revision.snapID]))
            else {
                throw StoreError(.invalid, "no snap-declaration for snap-id \(revision.snapID)")
            }
            let declaration = try SnapDeclaration(declarationAssertion)
            let file = try Self.open(blob)
            guard file.metadata.name == declaration.snapName else {
                throw StoreError(
                    .invalid,
                    "the snap is \"\(file.metadata.name)\" but its declaration names \"\(declaration.snapName)\"")
            }
            let snap = try await ensureSnap(declaration, assertion: declarationAssertion)
            return try await exclusively(onSnap: snap.snapID) {
                if let existing = try await catalogue.revision(snapID: snap.snapID, revision: revision.snapRevision) {
                    guard existing.sha3_384 == blob.hex else {
                        throw StoreError(
                            .conflict, "revision \(revision.snapRevision) of \(snap.name) exists with other content")
                    }
                    blobs.discard(blob)
                    return existing
                }
                let now = clock()
                let record = Self.record(
                    for: file, snapID: snap.snapID, revision: revision.snapRevision, digest: blob.hex, now: now)
                let (map, events) = try await releasing(record, into: channels, snap: snap, by: principal, now: now)
                try await persist(record, blob: blob, assertions: [revisionAssertion], channelMap: map, events: events)
                return record
            }
        } catch {
            blobs.discard(blob)
            throw error
        }
    }

    /// The snap record of an imported declaration, created (with its publisher) when new.
    private func ensureSnap(_ declaration: SnapDeclaration, assertion: Assertion) async throws -> SnapRecord {
        if let snap = try await catalogue.snap(id: declaration.snapID) { return snap }
        if try await catalogue.snap(name: declaration.snapName, store: nil) != nil {
            throw StoreError(.conflict, "the name \"\(declaration.snapName)\" is registered here with another snap-id")
        }
        if try await catalogue.account(id: declaration.publisherID) == nil {
            guard let account = try await catalogue.assertion(AssertionReference(.account, [declaration.publisherID]))
            else {
                throw StoreError(.invalid, "no account assertion for publisher \(declaration.publisherID)")
            }
            let view = try Account(account)
            var username = view.username.isEmpty ? declaration.publisherID.lowercased() : view.username
            if try await catalogue.account(username: username) != nil {
                username = declaration.publisherID.lowercased()
            }
            try await catalogue.createAccount(
                StoreAccount(
                    id: declaration.publisherID, username: username, displayName: view.displayName,
                    validation: view.validation, createdAt: clock().seconds), assertions: [])
        }
        let snap = SnapRecord(
            snapID: declaration.snapID, name: declaration.snapName, publisherID: declaration.publisherID, store: nil,
            isPrivate: false, createdAt: clock().seconds)
        try await catalogue.registerSnap(snap, declaration: assertion)
        return snap
    }
}
