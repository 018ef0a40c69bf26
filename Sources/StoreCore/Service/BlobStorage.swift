/// Snap files on disk, addressed by their SHA3-384. Bytes are hashed while they are written to a
/// temporary file, synced, and only then moved into place: a blob is complete or absent.
public protocol BlobStorage: Sendable {
    func makeWriter(limit: UInt64) throws -> any BlobWriter
    /// Moves a finished upload into place; the same content twice is kept once.
    func commit(_ blob: IngestedBlob) throws
    func discard(_ blob: IngestedBlob)
    func path(forDigest hex: String) -> String
    func contains(digest hex: String) -> Bool
    func remove(digest hex: String)
    /// Removes temporary files and blobs no revision points to; returns how many were removed.
    func collectGarbage(keeping digests: Set<String>) throws -> Int
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

    public var hex: String { sha3_384.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() }
}
