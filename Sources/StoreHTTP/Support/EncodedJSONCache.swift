import Foundation
import Synchronization

/// JSON encodings kept by a key that determines the value, for answers that repeat: a fleet asks
/// about the same few revisions again and again, and JSONEncoder was half of a refresh's CPU time
/// (docs/performance.md). A changed value must come with a different key (`RevisionAnswer` holds
/// the dossier it was decided from), so nothing needs invalidating; the bytes are exactly what
/// `JSONBody` would have written.
final class EncodedJSONCache<Key: Hashable & Sendable>: Sendable {
    /// A key with its hash taken before the lock, so that threads sharing the cache do not hash
    /// under it.
    private struct HashedKey: Hashable, Sendable {
        let key: Key
        let hash: Int

        static func == (left: HashedKey, right: HashedKey) -> Bool { left.hash == right.hash && left.key == right.key }
        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    private let limit: Int
    private let entries = Mutex<[HashedKey: [UInt8]]>([:])

    /// Keeps at most `limit` encodings; a full cache starts over, which costs one encoding per key.
    init(limit: Int) {
        self.limit = limit
    }

    /// The encoding of what `key` determines; `value` makes it when none is kept.
    func encoding(of key: Key, _ value: (Key) -> some Encodable) throws -> [UInt8] {
        let hashed = HashedKey(key: key, hash: key.hashValue)
        if let kept = entries.withLock({ $0[hashed] }) { return kept }
        let bytes = try [UInt8](JSONBody.encode(value(key)))
        entries.withLock { entries in
            if entries.count >= limit { entries.removeAll(keepingCapacity: true) }
            entries[hashed] = bytes
        }
        return bytes
    }
}
