/// One change at a time per snap. A release, close, rollout change, upload or import reads the
/// channel map (or the revision numbers), changes it and writes it back whole: two of them at once
/// on the same snap would lose one change, or give two uploads the same revision number.
actor SnapWriteLocks {
    private var held: Set<String> = []
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    func acquire(_ snapID: String) async {
        guard held.contains(snapID) else {
            held.insert(snapID)
            return
        }
        await withCheckedContinuation { waiting[snapID, default: []].append($0) }
    }

    /// Hands the lock to the next waiter, in arrival order, or frees it.
    func release(_ snapID: String) {
        guard var queue = waiting[snapID], !queue.isEmpty else {
            held.remove(snapID)
            return
        }
        let next = queue.removeFirst()
        waiting[snapID] = queue.isEmpty ? nil : queue
        next.resume()
    }
}

extension SnapStore {
    /// Runs `change` while no other change of this snap runs, here or in a replica sharing the catalogue.
    func exclusively<Result: Sendable>(onSnap snapID: String, _ change: () async throws -> Result) async throws
        -> Result
    {
        await snapLocks.acquire(snapID)
        do {
            let result = try await catalogue.exclusively(onSnap: snapID, change)
            await snapLocks.release(snapID)
            return result
        } catch {
            await snapLocks.release(snapID)
            throw error
        }
    }
}
