import DepotCrypto
import Foundation
import StoreCore
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Blobs as files named by their SHA3-384 hex under `blobs/ab/abcdef…`, with uploads written
/// to `blobs/tmp/` first: hashed while written, synced, then renamed into place.
public final class FileBlobStorage: BlobStorage {
    public let root: String
    var temporaryDirectory: String { root + "/tmp" }
    /// Where `recover` sets aside blobs without a revision.
    public var quarantineDirectory: String { root + "/quarantine" }

    public init(root: String) throws {
        self.root = root
        for folder in [root, root + "/tmp"] {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
    }

    public func makeWriter(limit: UInt64) throws -> any BlobWriter {
        try FileBlobWriter(directory: temporaryDirectory, limit: limit)
    }

    public func path(forDigest hex: String) -> String {
        "\(root)/\(hex.prefix(2))/\(hex)"
    }

    public func contains(digest hex: String) -> Bool {
        FileManager.default.fileExists(atPath: path(forDigest: hex))
    }

    public func commit(_ blob: IngestedBlob) throws {
        let destination = path(forDigest: blob.hex)
        if FileManager.default.fileExists(atPath: destination) {
            unlink(blob.temporaryPath)
            return
        }
        let folder = (destination as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard rename(blob.temporaryPath, destination) == 0 else {
            throw StoreError(.internalError, "cannot store the upload: \(String(cString: strerror(errno)))")
        }
        Self.syncDirectory(folder)
    }

    public func discard(_ blob: IngestedBlob) {
        unlink(blob.temporaryPath)
    }

    public func scratchPath(_ name: String) -> String {
        temporaryDirectory + "/" + name
    }

    public func remove(digest hex: String) {
        unlink(path(forDigest: hex))
    }

    public func recover(keeping digests: Set<String>, quietFor: Duration?) throws -> (
        partialUploads: Int, quarantined: Int
    ) {
        var partial = 0
        var quarantined = 0
        let cutoff = Date().addingTimeInterval(-Double(quietFor?.components.seconds ?? 0))
        func quiet(_ path: String) -> Bool {
            guard quietFor != nil else { return true }
            let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            return (modified ?? .distantFuture) < cutoff
        }
        for name in partialUploads() where quiet(temporaryDirectory + "/" + name) {
            if unlink(temporaryDirectory + "/" + name) == 0 { partial += 1 }
        }
        for digest in try storedDigests() where !digests.contains(digest) && quiet(path(forDigest: digest)) {
            // A complete file whose row was never committed: someone may still want it.
            try FileManager.default.createDirectory(atPath: quarantineDirectory, withIntermediateDirectories: true)
            if rename(path(forDigest: digest), quarantineDirectory + "/" + digest) == 0 { quarantined += 1 }
        }
        if quarantined > 0 { Self.syncDirectory(quarantineDirectory) }
        return (partial, quarantined)
    }

    /// Every blob in place, by digest.
    public func storedDigests() throws -> [String] {
        let fm = FileManager.default
        return try fm.contentsOfDirectory(atPath: root).filter { $0.count == 2 }.flatMap { folder in
            (try? fm.contentsOfDirectory(atPath: root + "/" + folder)) ?? []
        }
    }

    /// Uploads being received and deltas being made, or cut short by a crash.
    public func partialUploads() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: temporaryDirectory)) ?? []
    }

    public func quarantined() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: quarantineDirectory)) ?? []).sorted()
    }

    static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
    }
}

/// Writes one upload to a temporary file, hashing every byte on the way.
final class FileBlobWriter: BlobWriter {
    let path: String
    let limit: UInt64
    private let descriptor: Int32
    private let digest = DigestStream(.sha3_384)
    private(set) var size: UInt64 = 0
    private var closed = false

    init(directory: String, limit: UInt64) throws {
        path = directory + "/upload-" + UUID().uuidString
        self.limit = limit
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError(.internalError, "cannot create an upload file: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        if !closed { close(descriptor) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard size + UInt64(bytes.count) <= limit else {
            throw StoreError(.tooLarge, "the upload is larger than the store's limit of \(limit) bytes")
        }
        do {
            try FileDescriptor(rawValue: descriptor).writeAll(bytes)
        } catch {
            throw StoreError(.internalError, "cannot write the upload: \(error)")
        }
        digest.update(bytes)
        size += UInt64(bytes.count)
    }

    func finish() throws -> IngestedBlob {
        guard fsync(descriptor) == 0 else {
            throw StoreError(.internalError, "cannot sync the upload: \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        closed = true
        return IngestedBlob(temporaryPath: path, sha3_384: digest.finalize(), size: size)
    }

    func abandon() {
        if !closed {
            close(descriptor)
            closed = true
        }
        unlink(path)
    }
}
