import DepotCrypto
import Foundation
import StoreCore

/// What `snapdepot data check` finds in a data folder: the catalogue's own integrity check, and
/// whether every revision's blob is there with the bytes its row names. Blobs no row names and
/// partial uploads are counted, not faults: the next start sets them aside and removes them.
public struct DataCheck: Codable, Sendable {
    /// SQLite's `PRAGMA integrity_check` (or, for PostgreSQL, whether the schema is current: the
    /// server checks its own pages): `ok`, or what it found.
    public var integrity: String
    public var revisions: Int
    /// `snap rN: digest` of revisions whose blob is gone.
    public var missingBlobs: [String] = []
    /// `snap rN: digest` of revisions whose blob has other bytes or another size.
    public var corruptBlobs: [String] = []
    /// Blobs in place that no revision names (a kill between the rename and the commit).
    public var orphanBlobs: [String] = []
    public var quarantined: Int
    public var partialUploads: Int

    public var isSound: Bool { integrity == "ok" && missingBlobs.isEmpty && corruptBlobs.isEmpty }
}

extension DataDirectory {
    /// Reads every blob a revision names, in full: as long as the folder's snaps take to hash. The
    /// catalogue is the folder's `store.db`, or the PostgreSQL database `database` names.
    public func check(database: PostgresLocation? = nil) async throws -> DataCheck {
        let catalogue: any Catalogue
        let integrity: String
        if let database {
            let postgres = try await PostgresCatalogue(database)
            catalogue = postgres
            integrity = try await postgres.schemaCheck()
        } else {
            guard FileManager.default.fileExists(atPath: databasePath) else {
                throw StoreError(.notFound, "\(path) holds no store database")
            }
            let sqlite = try SQLiteCatalogue(path: databasePath)
            catalogue = sqlite
            integrity = try await sqlite.integrityCheck()
        }
        defer { (catalogue as? PostgresCatalogue)?.close() }
        let blobs = try FileBlobStorage(root: blobsPath)
        var names: [String: String] = [:]
        for snap in try await catalogue.allSnaps() { names[snap.snapID] = snap.name }
        var report = DataCheck(
            integrity: integrity, revisions: 0, quarantined: blobs.quarantined().count,
            partialUploads: blobs.partialUploads().count)
        var named: Set<String> = []
        for snapID in names.keys.sorted() {
            for revision in try await catalogue.revisions(snapID: snapID) {
                report.revisions += 1
                named.insert(revision.sha3_384)
                let label = "\(names[snapID] ?? snapID) r\(revision.revision): \(revision.sha3_384.prefix(16))…"
                let file = blobs.path(forDigest: revision.sha3_384)
                guard FileManager.default.fileExists(atPath: file) else {
                    report.missingBlobs.append(label)
                    continue
                }
                let (digest, size) = try Digest.ofFile(at: file, .sha3_384)
                if Hex.encode(digest) != revision.sha3_384 || size != revision.size {
                    report.corruptBlobs.append(label)
                }
            }
            for delta in try await catalogue.deltas(snapID: snapID) {
                guard let expected = delta.sha3_384 else { continue }
                named.insert(expected)
                let label =
                    "\(names[snapID] ?? snapID) delta r\(delta.source)→r\(delta.target): \(expected.prefix(16))…"
                let file = blobs.path(forDigest: expected)
                guard FileManager.default.fileExists(atPath: file) else {
                    report.missingBlobs.append(label)
                    continue
                }
                let (digest, size) = try Digest.ofFile(at: file, .sha3_384)
                if Hex.encode(digest) != expected || size != delta.size { report.corruptBlobs.append(label) }
            }
        }
        report.orphanBlobs = try blobs.storedDigests().filter { !named.contains($0) }.sorted()
        return report
    }
}
