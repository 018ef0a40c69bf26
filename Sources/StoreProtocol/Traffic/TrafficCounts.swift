/// What passed between devices and a store, counted on either side: the store's own counters
/// (`GET /admin/v1/counters`) and a fleet's count of what its devices sent, so the two can be
/// compared.
public struct TrafficCounts: Codable, Sendable, Equatable {
    /// Every request answered (store) or sent (devices).
    public var requests = 0
    /// `POST /v2/snaps/refresh` answered 200.
    public var snapActions = 0
    /// Snap downloads answered 200 or 206, and the body bytes of those answers.
    public var downloads = 0
    public var downloadBytes = 0
    /// Of those, the deltas between revisions (`….xdelta3`), and their bytes.
    public var deltaDownloads = 0
    public var deltaBytes = 0
    /// Serials issued by the vault, and device sessions opened.
    public var serials = 0
    public var sessions = 0
    /// Assertions served by the assertion service.
    public var assertions = 0

    public init() {}

    public static func - (lhs: TrafficCounts, rhs: TrafficCounts) -> TrafficCounts {
        combined(lhs, rhs, by: -)
    }

    public static func + (lhs: TrafficCounts, rhs: TrafficCounts) -> TrafficCounts {
        combined(lhs, rhs, by: +)
    }

    private static func combined(_ lhs: TrafficCounts, _ rhs: TrafficCounts, by operation: (Int, Int) -> Int)
        -> TrafficCounts
    {
        var result = TrafficCounts()
        result.requests = operation(lhs.requests, rhs.requests)
        result.snapActions = operation(lhs.snapActions, rhs.snapActions)
        result.downloads = operation(lhs.downloads, rhs.downloads)
        result.downloadBytes = operation(lhs.downloadBytes, rhs.downloadBytes)
        result.deltaDownloads = operation(lhs.deltaDownloads, rhs.deltaDownloads)
        result.deltaBytes = operation(lhs.deltaBytes, rhs.deltaBytes)
        result.serials = operation(lhs.serials, rhs.serials)
        result.sessions = operation(lhs.sessions, rhs.sessions)
        result.assertions = operation(lhs.assertions, rhs.assertions)
        return result
    }

    /// Counts one exchange by its method, path and status; `bodyBytes` is a download's body.
    public mutating func count(method: String, path: String, status: Int, bodyBytes: Int) {
        requests += 1
        let ok = status == 200 || status == 201
        if method == "POST", path.hasPrefix("/v2/snaps/refresh"), status == 200 {
            snapActions += 1
        } else if method == "GET", path.hasPrefix("/api/v1/snaps/download/"), ok || status == 206 {
            downloads += 1
            downloadBytes += bodyBytes
            if path.hasSuffix(".xdelta3") {
                deltaDownloads += 1
                deltaBytes += bodyBytes
            }
        } else if method == "POST", path.hasPrefix("/api/v1/snaps/auth/devices"), ok {
            serials += 1
        } else if method == "POST", path.hasPrefix("/api/v1/snaps/auth/sessions"), ok {
            sessions += 1
        } else if method == "GET", path.hasPrefix("/v2/assertions/"), status == 200 {
            assertions += 1
        }
    }
}
