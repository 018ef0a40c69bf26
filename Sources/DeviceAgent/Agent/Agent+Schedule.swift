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

    /// The refresh settings snapd keeps under `snap set system` (`configcore/refresh.go`), and the
    /// registration settings a gadget's `prepare-device` hook sets (`devicestate/handlers_serial.go`).
    public static let settings = [
        "refresh.timer", "refresh.hold", "refresh.metered", "refresh.retain", "device-service.headers",
        "registration.proposed-serial",
    ]

    /// Sets one of `settings` (nil unsets it), refusing what snapd refuses: a timer it cannot
    /// parse, a hold that is not an RFC 3339 time, `refresh.metered` other than `hold`, a retain
    /// outside 2…20.
    public func set(_ key: String, _ value: String?) throws {
        var state = try state()
        switch key {
        case "refresh.timer":
            if let value { _ = try RefreshSchedule(value) }
            state.refreshTimer = value
        case "refresh.hold":
            if let value, WireTime.seconds(value) == nil {
                throw DeviceAgentError("refresh.hold cannot be parsed: \"\(value)\" is not an RFC 3339 time")
            }
            state.refreshHold = value
        case "refresh.metered":
            guard value == nil || value == "hold" || value == "" else {
                throw DeviceAgentError("refresh.metered value \"\(value ?? "")\" is invalid: only \"hold\" or \"\"")
            }
            state.refreshMetered = value == "" ? nil : value
        case "refresh.retain":
            if let value {
                guard let count = Int(value), (2...20).contains(count) else {
                    throw DeviceAgentError("retain must be a number between 2 and 20, not \"\(value)\"")
                }
            }
            state.refreshRetain = value.flatMap(Int.init)
        case "device-service.headers":
            state.deviceServiceHeaders = try value.map(Self.serviceHeaders)
        case "registration.proposed-serial":
            if let value, value.contains("/") { throw DeviceAgentError("a proposed serial cannot contain \"/\"") }
            state.proposedSerial = value
        default:
            throw DeviceAgentError(
                "unknown setting \"\(key)\": the agent knows \(Self.settings.joined(separator: ", "))")
        }
        try stateStore.save(state)
    }

    /// A JSON object of header names to strings, as snapd reads `device-service.headers`.
    static func serviceHeaders(_ text: String) throws -> [String: String] {
        guard let headers = try? JSONDecoder().decode([String: String].self, from: Data(text.utf8)) else {
            throw DeviceAgentError(
                "device-service.headers is a JSON object of names to strings, like {\"api-key\": \"…\"}")
        }
        return headers
    }

    /// Revisions kept per snap: `refresh.retain`, else snapd's default, 3 on Ubuntu Core, 2 on classic.
    func retain(_ state: AgentState) -> Int {
        state.refreshRetain ?? (model.isClassic ? 2 : 3)
    }

    /// snapd's `EffectiveRefreshHold`: `refresh.hold`, never beyond 95 days after the last
    /// refresh, and ignored on a device that never refreshed.
    func effectiveHold(_ state: AgentState) -> Date? {
        guard let hold = state.refreshHold.flatMap(WireTime.seconds),
            let last = state.lastRefresh.flatMap(WireTime.seconds)
        else { return nil }
        return Date(
            timeIntervalSince1970: min(
                TimeInterval(hold), TimeInterval(last) + RefreshSchedule.maximumPostponement))
    }

    /// When the next scheduled refresh is due: at once on a device that never asked the store
    /// (Ubuntu Core's first refresh after seeding), else the schedule's next window after the last;
    /// under a `refresh.hold`, the schedule's next window after the hold ends, as snapd reckons
    /// it once the hold expires.
    public func nextRefresh(now: Date = Date(), using random: inout some RandomNumberGenerator) throws -> Date {
        let state = try state()
        guard let last = state.lastRefresh.flatMap(WireTime.seconds) else { return now }
        if let hold = effectiveHold(state), hold > now {
            return try schedule().next(after: hold, now: hold, using: &random)
        }
        return try schedule().next(
            after: Date(timeIntervalSince1970: TimeInterval(last)), now: now, using: &random)
    }

    /// Whether `refresh.metered=hold` keeps a scheduled refresh off the connection: only on a
    /// metered one, and never once the last refresh is 95 days old.
    public func heldByMeteredConnection(now: Date = Date()) throws -> Bool {
        let state = try state()
        guard state.refreshMetered == "hold", meteredConnection else { return false }
        guard let last = state.lastRefresh.flatMap(WireTime.seconds) else { return true }
        return now.timeIntervalSince1970 - TimeInterval(last) < RefreshSchedule.maximumPostponement
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
            // snapd looks again at its next ensure, every five minutes.
            if try heldByMeteredConnection() {
                try await Task.sleep(for: .seconds(5 * 60))
                continue
            }
            do {
                report(.success(try await refresh(scheduled: true)))
            } catch {
                report(.failure(error))
                if try state().lastRefresh.flatMap(WireTime.seconds).map({
                    clock().timeIntervalSince1970 - Double($0) > 60
                })
                    ?? true
                {
                    try await Task.sleep(for: .seconds(Self.retryDelay + Double.random(in: 0..<60, using: &random)))
                }
            }
        }
    }
}
