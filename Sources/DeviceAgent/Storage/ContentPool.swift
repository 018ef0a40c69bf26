import Assertions
import DepotCrypto
import Foundation
import SnapFiles

/// What a fleet's simulated devices hold in common, one copy of each content however many devices
/// hold it: snap files on disk named by SHA3-384, records with the same bytes, and assertions
/// each device verified itself. Every device hashes the bytes it downloaded itself; what the pool
/// shares for a snap is the result of opening a file with that digest (its `snap.yaml`, size and
/// squashfs checks), which the same bytes always give.
public final class ContentPool: @unchecked Sendable {
    public let folder: URL
    private let lock = NSLock()
    private var opened: [[UInt8]: PooledSnap] = [:]
    private var notSnaps: Set<[UInt8]> = []
    private var records: Set<[UInt8]> = []
    private var assertions: [SignedContent: Assertion] = [:]
    /// What a delta (by its SHA3-384) made of a source snap (by its own): nil when not a snap.
    private var applied: [[UInt8]: PooledSnap?] = [:]

    /// An assertion is its signed content and its signature.
    private struct SignedContent: Hashable {
        let content: [UInt8]
        let signature: [UInt8]
    }

    public init(folder: URL) throws {
        self.folder = folder
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// A snap file already on disk (an image's seed), hashed and opened once for the fleet: every
    /// device was flashed with the same bytes.
    public func admit(fileAt path: String) throws -> PooledSnap {
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
    func admit(_ bytes: [UInt8], digest: [UInt8]) throws -> PooledSnap? {
        // Under the lock, so two devices bringing the same new bytes write the file once: new
        // content is rare (once per revision, or per corrupted copy), lookups are not.
        try lock.withLock {
            if let snap = opened[digest] { return snap }
            if notSnaps.contains(digest) { return nil }
            let path = folder.appendingPathComponent(Hex.encode(digest) + ".snap").path
            try PrivateFile.write(bytes, to: URL(fileURLWithPath: path))
            guard
                let snap = (try? SnapFile.open(path: path, digest: (digest, UInt64(bytes.count)))).map(PooledSnap.init)
            else {
                notSnaps.insert(digest)
                try? FileManager.default.removeItem(atPath: path)
                return nil
            }
            opened[digest] = snap
            return snap
        }
    }

    /// What a delta a device downloaded makes of one of its snaps, through xdelta3 as on a real
    /// device. The same delta on the same source always makes the same bytes, so it is applied once
    /// for the fleet; each device still downloads the delta itself and checks what it made.
    func apply(_ delta: [UInt8], to source: PooledSnap) async throws -> PooledSnap? {
        let key = source.file.sha3_384 + Digest.sha3_384(delta)
        if let made = lock.withLock({ applied[key] }) { return made }
        let name = folder.appendingPathComponent("delta-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(atPath: name + ".\(XDelta3.format)")
            try? FileManager.default.removeItem(atPath: name + ".out")
        }
        try PrivateFile.write(delta, to: URL(fileURLWithPath: name + ".\(XDelta3.format)"))
        try await XDelta3.decode(
            source: source.file.path, delta: name + ".\(XDelta3.format)", output: name + ".out",
            timeout: FileDeviceStorage.deltaTimeout)
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: name + ".out")))
        let made = try admit(bytes, digest: Digest.sha3_384(bytes))
        lock.withLock { applied[key] = .some(made) }
        return made
    }

    /// The pool's copy of a record's bytes.
    func share(_ record: [UInt8]) -> [UInt8] {
        lock.withLock { records.insert(record).memberAfterInsert }
    }

    /// The pool's copy of an assertion: the first equal one a device kept.
    func share(_ assertion: Assertion) -> Assertion {
        let key = SignedContent(content: assertion.content, signature: assertion.signature)
        return lock.withLock {
            if let kept = assertions[key] { return kept }
            assertions[key] = assertion
            return assertion
        }
    }

    /// How many distinct snap files the pool holds.
    public var count: Int { lock.withLock { opened.count } }
}

/// A snap file of the pool, held by reference: a device's table of its snaps holds a pointer
/// per revision, not a copy of its metadata.
public final class PooledSnap: Sendable {
    public let file: SnapFile

    init(_ file: SnapFile) {
        self.file = file
    }
}
