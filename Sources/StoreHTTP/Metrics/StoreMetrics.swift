import Prometheus
import StoreCore
import StoreProtocol
import Synchronization

/// What `GET /metrics` shows, in Prometheus' text format (swift-prometheus): requests by route,
/// method and status with their latency (`RequestMetricsMiddleware`, through swift-metrics
/// once `serve` bootstraps it with `factory`), what devices fetched and opened (counted as
/// `TrafficCounter` counts it), and the store's census read at each scrape: devices per model,
/// devices per snap revision, rollouts and faults.
public final class StoreMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let traffic: TrafficMeters
    /// Census gauges by name and labels, so a series that is gone (a rollout completed) goes too.
    private let censusGauges = Mutex<[String: Prometheus.Gauge]>([:])

    public init() {
        traffic = TrafficMeters(registry)
    }

    /// swift-metrics' factory on this registry, naming swift-metrics' labels as Prometheus wants
    /// them (`hb.requests` → `snapdepot_http_requests_total`, `http.route` → `route`), with
    /// latency buckets from half a millisecond to ten seconds.
    public var factory: PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        ]
        factory.nameAndLabelSanitizer = { name, labels in
            (Self.names[name] ?? Self.sanitized(name), labels.map { (Self.labels[$0.0] ?? Self.sanitized($0.0), $0.1) })
        }
        return factory
    }

    private static let names = [
        "hb.requests": "snapdepot_http_requests_total",
        "hb.request.errors": "snapdepot_http_request_errors_total",
        "http.server.request.duration": "snapdepot_http_request_duration_seconds",
        "http.server.active_requests": "snapdepot_http_active_requests",
    ]
    private static let labels = [
        "http.route": "route", "http.request.method": "method", "http.response.status_code": "status",
        "error.type": "status",
    ]

    /// A whole metric name (its unit already in it, `_total`) with its help line.
    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Prometheus' `[a-zA-Z_:][a-zA-Z0-9_:]*`: anything else becomes `_`.
    static func sanitized(_ name: String) -> String {
        String(
            name.enumerated().map { index, character in
                character.isASCII
                    && (character.isLetter || character == "_" || character == ":"
                        || (index > 0 && character.isNumber))
                    ? character : "_"
            })
    }

    /// Adds what the traffic counter just counted.
    func count(_ counted: TrafficCounts) {
        traffic.add(counted)
    }

    /// The exposition, with the census as it is now.
    func render(_ census: StoreCensus) -> [UInt8] {
        var current: [(name: String, labels: [(String, String)], help: String, value: Double)] = [
            ("snapdepot_snaps", [], "Snaps registered in the store.", Double(census.snaps))
        ]
        for count in census.devices {
            current.append(
                (
                    "snapdepot_devices", [("brand", count.brandID), ("model", count.model)],
                    "Devices in the inventory, per brand and model.", Double(count.count)
                ))
        }
        for installed in census.installed {
            current.append(
                (
                    "snapdepot_device_snap_revisions",
                    [("snap", installed.snap), ("revision", String(installed.revision))],
                    "Devices whose last report had this revision of this snap.", Double(installed.devices)
                ))
        }
        for rollout in census.rollouts {
            let labels = [
                ("snap", rollout.snap), ("channel", rollout.view.channel), ("revision", String(rollout.view.revision)),
            ]
            current += [
                (
                    "snapdepot_rollout_percentage", labels, "The share of devices a rollout offers its revision to.",
                    rollout.view.percentage
                ),
                (
                    "snapdepot_rollout_attempts", labels, "Devices that tried a rollout's revision since its release.",
                    Double(rollout.view.attempts)
                ),
                (
                    "snapdepot_rollout_failures", labels, "Devices that failed with a rollout's revision.",
                    Double(rollout.view.failures)
                ),
                (
                    "snapdepot_rollout_halted", labels, "1 when a rollout's health gate halted it.",
                    rollout.view.halt == nil ? 0 : 1
                ),
            ]
        }
        for fault in census.faults {
            current.append(
                (
                    "snapdepot_fault_firings",
                    [("id", String(fault.id)), ("kind", fault.kind.rawValue), ("endpoint", fault.endpoint.rawValue)],
                    "How often each injected fault in force has fired.", Double(fault.fired)
                ))
        }
        censusGauges.withLock { gauges in
            var seen: Set<String> = []
            for entry in current {
                let key = entry.name + "|" + entry.labels.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
                seen.insert(key)
                let gauge =
                    gauges[key]
                    ?? registry.makeGauge(descriptor: Self.descriptor(entry.name, entry.help), labels: entry.labels)
                gauges[key] = gauge
                gauge.set(entry.value)
            }
            for (key, gauge) in gauges where !seen.contains(key) {
                registry.unregisterGauge(gauge)
                gauges[key] = nil
            }
        }
        return registry.emitToBuffer()
    }
}

/// The counters of what devices fetched and opened, fed by the store's traffic count.
private struct TrafficMeters: Sendable {
    let snapActions: Prometheus.Counter
    let snapDownloads: Prometheus.Counter
    let snapBytes: Prometheus.Counter
    let deltaDownloads: Prometheus.Counter
    let deltaBytes: Prometheus.Counter
    let serials: Prometheus.Counter
    let sessions: Prometheus.Counter
    let assertions: Prometheus.Counter

    init(_ registry: PrometheusCollectorRegistry) {
        func counter(_ name: String, kind: String? = nil, _ help: String) -> Prometheus.Counter {
            let labels = kind.map { [("kind", $0)] } ?? []
            return registry.makeCounter(descriptor: StoreMetrics.descriptor(name, help), labels: labels)
        }
        let downloadsHelp = "Downloads answered 200 or 206, whole snaps and deltas."
        let bytesHelp = "Body bytes of those downloads."
        snapActions = counter("snapdepot_snap_actions_total", "Snap-action requests (refreshes) answered 200.")
        snapDownloads = counter("snapdepot_downloads_total", kind: "snap", downloadsHelp)
        deltaDownloads = counter("snapdepot_downloads_total", kind: "delta", downloadsHelp)
        snapBytes = counter("snapdepot_download_bytes_total", kind: "snap", bytesHelp)
        deltaBytes = counter("snapdepot_download_bytes_total", kind: "delta", bytesHelp)
        serials = counter("snapdepot_serials_total", "Serials the vault signed (device registrations).")
        sessions = counter("snapdepot_device_sessions_total", "Device sessions opened.")
        assertions = counter("snapdepot_assertions_served_total", "Assertions the assertion service served.")
    }

    func add(_ counted: TrafficCounts) {
        snapActions.increment(by: Int64(counted.snapActions))
        snapDownloads.increment(by: Int64(counted.downloads - counted.deltaDownloads))
        deltaDownloads.increment(by: Int64(counted.deltaDownloads))
        snapBytes.increment(by: Int64(counted.downloadBytes - counted.deltaBytes))
        deltaBytes.increment(by: Int64(counted.deltaBytes))
        serials.increment(by: Int64(counted.serials))
        sessions.increment(by: Int64(counted.sessions))
        assertions.increment(by: Int64(counted.assertions))
    }
}
