import DepotCrypto
import Foundation

/// Snap files on disk, addressed by their SHA3-384. Bytes are hashed while they are written to a
/// temporary file, synced, and only then moved into place: a blob is complete or absent.
public protocol BlobStorage: Sendable {
    func makeWriter(limit: UInt64) throws -> any BlobWriter
    /// Moves a finished upload into place; the same content twice is kept once.
    func commit(_ blob: IngestedBlob) throws
    func discard(_ blob: IngestedBlob)
    /// Where a tool may write a file that is then ingested (a delta xdelta3 makes): beside the
    /// uploads in progress, so a store killed meanwhile leaves it where `recover` removes it.
    func scratchPath(_ name: String) -> String
    func path(forDigest hex: String) -> String
    func contains(digest hex: String) -> Bool
    func remove(digest hex: String)
    /// After a crash: removes partial uploads, and moves blobs no revision points to (a kill
    /// between a blob's rename and its row's commit) aside, not away; returns how many of each.
    /// With `quietFor`, only files untouched that long: on a folder replicas share, another
    /// replica's upload in progress is neither partial nor orphaned.
    func recover(keeping digests: Set<String>, quietFor: Duration?) throws -> (partialUploads: Int, quarantined: Int)
    /// The blobs set aside by `recover`, by digest.
    func quarantined() -> [String]
}

extension BlobStorage {
    /// Streams a local file in, 1 MiB at a time, as an upload would arrive; a failure leaves no partial file.
    public func ingest(fileAt path: String, limit: UInt64) throws -> IngestedBlob {
        let writer = try makeWriter(limit: limit)
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
                try chunk.withUnsafeBytes { try writer.write($0) }
            }
            return try writer.finish()
        } catch {
            writer.abandon()
            throw error
        }
    }
}

/// An upload being written.
public protocol BlobWriter: AnyObject {
    var size: UInt64 { get }
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Syncs the file and returns it with its digest.
    func finish() throws -> IngestedBlob
    /// Deletes the partial file.
    func abandon()
}

public struct IngestedBlob: Sendable {
    public let temporaryPath: String
    public let sha3_384: [UInt8]
    public let size: UInt64

    public init(temporaryPath: String, sha3_384: [UInt8], size: UInt64) {
        self.temporaryPath = temporaryPath
        self.sha3_384 = sha3_384
        self.size = size
    }

    public var hex: String { Hex.encode(sha3_384) }
}
