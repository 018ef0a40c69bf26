import Foundation
import Synchronization

/// JSON encodings kept by the value they encode, for answers that repeat: a fleet asks about the
/// same few revisions again and again, and JSONEncoder was half of a refresh's CPU time
/// (docs/performance.md). The key is the whole value, so a changed snap is simply a different key
/// and nothing needs invalidating; the bytes are exactly what `JSONBody` would have written.
final class EncodedJSONCache<Value: Hashable & Encodable & Sendable>: Sendable {
    /// A value with its hash taken before the lock, so that hashing a long description or
    /// snap.yaml does not serialise the threads that share the cache.
    private struct Key: Hashable, Sendable {
        let value: Value
        let hash: Int

        static func == (left: Key, right: Key) -> Bool { left.hash == right.hash && left.value == right.value }
        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    private let limit: Int
    private let entries = Mutex<[Key: [UInt8]]>([:])

    /// Keeps at most `limit` encodings; a full cache starts over, which costs one encoding per value.
    init(limit: Int) {
        self.limit = limit
    }

    func encoding(of value: Value) throws -> [UInt8] {
        let key = Key(value: value, hash: value.hashValue)
        if let kept = entries.withLock({ $0[key] }) { return kept }
        let bytes = try [UInt8](JSONBody.encode(value))
        entries.withLock { entries in
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[key] = bytes
        }
        return bytes
    }
}
