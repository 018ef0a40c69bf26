import Assertions
import DepotCrypto
import Foundation
import NIOCore
import SnapFiles

/// A simulated device's storage: records in memory, snaps as references into the fleet's
/// `ContentPool`, a download's bytes in memory until they are whole.
public final class MemoryDeviceStorage: DeviceStorage, @unchecked Sendable {
    public let location: String
    let pool: ContentPool
    private let lock = NSLock()
    private var records: [String: [UInt8]]
    private var snaps: [String: PooledSnap]
    /// Downloads not yet whole, kept for a resume as snapd keeps its `.partial`.
    private var partialBytes: [String: [UInt8]] = [:]
    /// Downloads that arrived whole, opened, not yet put in place.
    private var downloaded: [String: PooledSnap?] = [:]
    private var assertions: TrustDatabase?

    /// A device as the factory flashed it: its records and the image's snaps, already in the pool.
    public init(
        name: String, records: [String: [UInt8]], snaps: [String: PooledSnap], pool: ContentPool,
        assertions: TrustDatabase? = nil
    ) {
        location = name
        self.records = records
        self.snaps = snaps
        self.pool = pool
        self.assertions = assertions
    }

    public func read(_ record: String) -> [UInt8]? {
        lock.withLock { records[record] }
    }

    public func replace(_ record: String, with bytes: [UInt8]) throws {
        let shared = pool.share(bytes)
        lock.withLock { records[record] = shared }
    }

    public func snapFiles() -> [String] {
        lock.withLock { Array(snaps.keys) }
    }

    public func hasSnap(_ file: String) -> Bool {
        lock.withLock { snaps[file] != nil }
    }

    public func openSnap(_ file: String) throws -> SnapFile {
        guard let snap = lock.withLock({ snaps[file] }) else {
            throw DeviceAgentError("\(location) has no \(file)")
        }
        return snap.file
    }

    public func snapPath(_ file: String) -> String {
        lock.withLock { snaps[file]?.file.path } ?? "/nonexistent/\(location)/\(file)"
    }

    public func removeSnap(_ file: String) {
        _ = lock.withLock { snaps.removeValue(forKey: file) }
    }

    public func hasPartial(_ file: String) -> Bool {
        lock.withLock { partialBytes[file] != nil || downloaded[file] != nil }
    }

    public func download(
        _ url: String, expectedSize: UInt64, to file: String, resume: Bool, headers: [String: String],
        connection: StoreConnection
    ) async throws -> (SnapFile?, UInt64) {
        let (whole, have): (PooledSnap??, [UInt8]) = lock.withLock {
            if !resume {
                downloaded[file] = nil
                partialBytes[file] = nil
            }
            return (downloaded[file], partialBytes[file] ?? [])
        }
        if let whole { return (whole?.file, UInt64(expectedSize)) }
        var bytes = have
        let offset: UInt64
        do {
            offset = try await connection.download(
                url, resumingAt: UInt64(have.count), expectedSize: expectedSize, extraHeaders: headers,
                start: { appending in if !appending { bytes.removeAll() } },
                receive: { chunk in bytes.append(contentsOf: chunk.readableBytesView) })
        } catch {
            // A cut download keeps what arrived, as a `.partial` file would.
            let kept = bytes
            lock.withLock { partialBytes[file] = kept }
            throw error
        }
        let snap = try pool.admit(bytes, digest: Digest.sha3_384(bytes))
        lock.withLock {
            downloaded[file] = .some(snap)
            partialBytes[file] = nil
        }
        return (snap?.file, offset)
    }

    public func applyDelta(
        _ url: String, expectedSize: UInt64, from source: String, to file: String, headers: [String: String],
        connection: StoreConnection
    ) async throws -> SnapFile? {
        guard let installed = lock.withLock({ snaps[source] }) else {
            throw DeviceAgentError("\(location) has no \(source) to apply a delta to")
        }
        var delta: [UInt8] = []
        _ = try await connection.download(
            url, resumingAt: 0, expectedSize: expectedSize, extraHeaders: headers,
            start: { _ in delta.removeAll() }, receive: { chunk in delta.append(contentsOf: chunk.readableBytesView) })
        let made = try await pool.apply(delta, to: installed)
        lock.withLock {
            downloaded[file] = .some(made)
            partialBytes[file] = nil
        }
        return made?.file
    }

    public func promotePartial(_ file: String) throws {
        try lock.withLock {
            guard case .some(.some(let snap)) = downloaded.removeValue(forKey: file) else {
                throw DeviceAgentError("\(location) has no whole download of \(file)")
            }
            snaps[file] = snap
        }
    }

    public func removePartial(_ file: String) {
        lock.withLock {
            partialBytes[file] = nil
            downloaded[file] = nil
        }
    }

    public func openAssertions() -> TrustDatabase? {
        lock.withLock { assertions }
    }

    public func keepAssertions(_ database: TrustDatabase) {
        var shared = database
        shared.share(pool.share)
        lock.withLock { assertions = shared }
    }
}
