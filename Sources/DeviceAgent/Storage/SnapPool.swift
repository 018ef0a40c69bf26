import DepotCrypto
import Foundation
import SnapFiles

/// The snap files of a fleet's simulated devices, one copy of each content on disk however many
/// devices hold it, named by SHA3-384. Every device hashes the bytes it downloaded itself; what
/// the pool shares is the result of opening a file with that digest (its `snap.yaml`, size and
/// squashfs checks), which the same bytes always give.
public final class SnapPool: @unchecked Sendable {
    public let folder: URL
    private let lock = NSLock()
    private var opened: [[UInt8]: SnapFile] = [:]
    private var notSnaps: Set<[UInt8]> = []

    public init(folder: URL) throws {
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// A snap file already on disk (an image's seed), hashed and opened once for the fleet: every
    /// device was flashed with the same bytes.
    public func admit(fileAt path: String) throws -> SnapFile {
        let (digest, _) = try Digest.ofFile(at: path, .sha3_384)
        if let known = lock.withLock({ opened[digest] }) { return known }
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        guard let snap = try admit(bytes, digest: digest) else {
            throw DeviceAgentError("\(path) is not a snap")
        }
        return snap
    }

    /// Bytes a device downloaded, with the SHA3-384 it computed of them: the pool's copy opened,
    /// or nil when they are not a snap at all.
    func admit(_ bytes: [UInt8], digest: [UInt8]) throws -> SnapFile? {
        let known: SnapFile?? = lock.withLock {
            if let snap = opened[digest] { return .some(snap) }
            return notSnaps.contains(digest) ? .some(nil) : nil
        }
        if let known { return known }
        let path = folder.appendingPathComponent(Hex.encode(digest) + ".snap").path
        try AtomicFile.write(bytes, to: path)
        let snap = try? SnapFile.open(path: path, digest: (digest, UInt64(bytes.count)))
        lock.withLock {
            if let snap { opened[digest] = snap } else { notSnaps.insert(digest) }
        }
        if snap == nil { try? FileManager.default.removeItem(atPath: path) }
        return snap
    }

    /// How many distinct snap files the pool holds.
    public var count: Int { lock.withLock { opened.count } }
}
