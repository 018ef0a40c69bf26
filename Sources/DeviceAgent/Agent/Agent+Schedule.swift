import Foundation
import StoreProtocol

extension Agent {
    /// snapd waits this long before asking again after the store could not be reached
    /// (`refreshRetryDelay`), without moving `last-refresh`.
    public static let retryDelay: TimeInterval = 20 * 60

    /// The schedule in force: the device's `refresh.timer`, or snapd's default, also when the
    /// stored one no longer parses (snapd falls back the same way).
    public func schedule() throws -> RefreshSchedule {
        let state = try state()
        if let timer = state.refreshTimer, let schedule = try? RefreshSchedule(timer) { return schedule }
        return try RefreshSchedule(RefreshSchedule.snapdDefault)
    }

    /// Sets `refresh.timer`; a value snapd would refuse is refused with the reason.
    public func setRefreshTimer(_ text: String?) throws {
        if let text { _ = try RefreshSchedule(text) }
        var state = try state()
        state.refreshTimer = text
        try stateStore.save(state)
    }

    /// When the next scheduled refresh is due: at once on a device that never asked the store
    /// (Ubuntu Core's first refresh after seeding), else the schedule's next window after the last.
    public func nextRefresh(now: Date = Date(), using random: inout some RandomNumberGenerator) throws -> Date {
        guard let last = try state().lastRefresh.flatMap(WireTime.seconds) else { return now }
        return try schedule().next(
            after: Date(timeIntervalSince1970: TimeInterval(last)), now: now, using: &random)
    }

    /// Runs refreshes on the schedule until cancelled, as snapd's auto-refresh does: each attempt
    /// sends `Snap-Refresh-Reason: scheduled`; a store that cannot be reached is asked again after
    /// `retryDelay` plus up to a minute of jitter, so a fleet does not come back all at once.
    /// `report` hears of each attempt.
    public func run(report: @Sendable (Result<RefreshReport, any Error>) -> Void) async throws {
        var random = SystemRandomNumberGenerator()
        while !Task.isCancelled {
            let due = try nextRefresh(using: &random)
            let wait = due.timeIntervalSinceNow
            if wait > 0 { try await Task.sleep(for: .seconds(wait)) }
            do {
                report(.success(try await refresh(scheduled: true)))
            } catch {
                report(.failure(error))
                if try state().lastRefresh.flatMap(WireTime.seconds).map({
                    Date().timeIntervalSince1970 - Double($0) > 60
                })
                    ?? true
                {
                    try await Task.sleep(for: .seconds(Self.retryDelay + Double.random(in: 0..<60, using: &random)))
                }
            }
        }
    }
}
