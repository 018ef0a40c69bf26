import Synchronization

/// Deltas waiting to be made, made one at a time off the request path: a release asks for the
/// deltas from what its channels held, and a device that accepts deltas asks for the one from its
/// own revision when there is none yet (it downloads the whole snap this time; the next device
/// gets the delta). A pair asked for twice waits once; one that failed is not tried again until
/// the store restarts or an admin makes it (`SnapStore.makeDelta`), and its reason is kept.
final class DeltaQueue: Sendable {
    struct Pair: Hashable, Sendable {
        let snapID: String
        let source: Int
        let target: Int
    }

    /// Pairs past this wait are not taken: a burst of refreshes cannot grow the queue without end.
    static let capacity = 1000

    private struct State {
        var waiting: [Pair] = []
        var queued: Set<Pair> = []
        var failures: [Pair: String] = [:]
        var working = false
    }
    private let state = Mutex(State())

    /// Queues `pair` unless it waits, failed or the queue is full; starts the worker when idle.
    func add(_ pair: Pair, make: @escaping @Sendable (Pair) async throws -> Void) {
        let start = state.withLock { state -> Bool in
            guard !state.queued.contains(pair), state.failures[pair] == nil, state.waiting.count < Self.capacity
            else { return false }
            state.queued.insert(pair)
            state.waiting.append(pair)
            guard !state.working else { return false }
            state.working = true
            return true
        }
        if start { Task.detached(priority: .background) { await self.drain(make) } }
    }

    /// Why making `pair` failed, if it did.
    func failure(_ pair: Pair) -> String? {
        state.withLock { $0.failures[pair] }
    }

    /// Forgets a failure, when an admin makes the pair by hand.
    func forgetFailure(_ pair: Pair) {
        _ = state.withLock { $0.failures.removeValue(forKey: pair) }
    }

    /// How many pairs wait or are being made.
    var pending: Int { state.withLock { $0.queued.count } }

    private func drain(_ make: @Sendable (Pair) async throws -> Void) async {
        while let pair = next() {
            var reason: String?
            do { try await make(pair) } catch { reason = "\(error)" }
            state.withLock { state in
                state.queued.remove(pair)
                if let reason { state.failures[pair] = reason }
            }
        }
    }

    private func next() -> Pair? {
        state.withLock { state in
            guard !state.waiting.isEmpty else {
                state.working = false
                return nil
            }
            return state.waiting.removeFirst()
        }
    }
}
