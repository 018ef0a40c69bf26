import Foundation
import StoreProtocol

/// What a fleet run found: how the followed snap's revisions spread, what failed and why, what
/// the scenario expected, and the fleet's traffic beside the store's own count of it.
public struct FleetSummary: Codable, Sendable {
    public struct Expectation: Codable, Sendable {
        public let step: Int
        public let expected: String
        public let passed: Bool
        public let found: String
    }

    public struct Traffic: Codable, Sendable {
        /// What the devices sent and received.
        public let devices: TrafficCounts
        /// What the store counted over the same run; nil when it would not say.
        public let store: TrafficCounts?
        /// Whether snap actions, downloads, download bytes, serials and sessions agree.
        public let matches: Bool?
        public let mismatches: [String]

        /// The devices' traffic beside the store's, compared.
        public init(devices: TrafficCounts, store: TrafficCounts?) {
            var mismatches: [String] = []
            if let store {
                let compared: [(String, Int, Int)] = [
                    ("snap actions", devices.snapActions, store.snapActions),
                    ("downloads", devices.downloads, store.downloads),
                    ("download bytes", devices.downloadBytes, store.downloadBytes),
                    ("deltas", devices.deltaDownloads, store.deltaDownloads),
                    ("serials", devices.serials, store.serials),
                    ("sessions", devices.sessions, store.sessions),
                ]
                for (name, fleet, counted) in compared where fleet != counted {
                    mismatches.append("\(name): fleet \(fleet), store \(counted)")
                }
            }
            self.devices = devices
            self.store = store
            self.matches = store.map { _ in mismatches.isEmpty }
            self.mismatches = mismatches
        }
    }

    public var scenario: String?
    public var snap: String
    public var devices: Int
    public var seed: UInt64
    /// Devices that booted and registered.
    public var registered: Int
    public var simulatedSeconds: Double
    public var wallSeconds: Double
    /// Devices per revision of the followed snap at the end ("none": not installed).
    public var revisions: [String: Int]
    /// The revision the run's last release named, and the simulated seconds from that release
    /// until 50, 90, 99 and 100 % of the devices ran it (absent: never).
    public var target: Int?
    public var timeTo: [String: Double]
    /// The wall seconds the same marks took: how fast this machine ran the rollout.
    public var wallSecondsTo: [String: Double]
    public var failures: [String: Int]
    /// One reason, as the agent gave it, for each cause.
    public var failureExamples: [String: String]
    public var reverts: Int
    /// Scheduled refreshes a device missed because it was offline.
    public var offlineSkips: Int
    /// Devices left without a whole current revision of a snap, or with a change half-done.
    public var devicesNotWorking: Int
    public var bytesDownloaded: Int
    public var storeRequestsPerSecond: Double
    public var memoryPerDeviceBytes: Int
    public var expectations: [Expectation]
    public var traffic: Traffic
    /// Why the run ended before its time, if it did.
    public var stopped: String?
    /// What `fleet merge` needs of a shard of a split run.
    public var shard: ShardReport?

    /// Whether every expectation held and the run was not cut short.
    public var passed: Bool { stopped == nil && expectations.allSatisfy(\.passed) }

    /// The summary for people.
    public var text: String {
        var lines: [String] = []
        let title = scenario.map { "scenario \($0): " } ?? ""
        lines.append(
            "\(title)\(devices) devices (\(registered) registered), seed \(seed), "
                + "\(Self.duration(simulatedSeconds)) simulated in \(String(format: "%.1f", wallSeconds)) s")
        let spread = revisions.sorted { $0.key < $1.key }.map { "r\($0.key) \($0.value)" }
            .joined(separator: " · ")
        lines.append("\(snap): \(spread)")
        if let target {
            let marks = ["50%", "90%", "99%", "100%"].map { mark in
                "\(mark) \(timeTo[mark].map(Self.duration) ?? "never")"
            }
            lines.append("r\(target) reached " + marks.joined(separator: ", ") + " after its release (simulated)")
            if let wall = wallSecondsTo["100%"] {
                lines.append(String(format: "all devices ran r\(target) %.1f s (wall) after its release", wall))
            }
        }
        if failures.isEmpty {
            lines.append("failures: none")
        } else {
            lines.append("failures:")
            for (cause, count) in failures.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(cause): \(count) — e.g. \(failureExamples[cause] ?? "")")
            }
        }
        lines.append(
            "reverts \(reverts), offline skips \(offlineSkips), devices not working \(devicesNotWorking), "
                + "downloaded \(bytesDownloaded) bytes"
                + (traffic.devices.deltaDownloads > 0
                    ? " (\(traffic.devices.deltaDownloads) deltas, \(traffic.devices.deltaBytes) bytes)" : ""))
        lines.append(
            String(
                format: "store requests/s %.0f, memory per device %.1f KiB", storeRequestsPerSecond,
                Double(memoryPerDeviceBytes) / 1024))
        switch traffic.matches {
        case true?: lines.append("store counters match the fleet's (snap actions, downloads, bytes, serials, sessions)")
        case false?: lines.append("store counters differ: " + traffic.mismatches.joined(separator: "; "))
        case nil: lines.append("store counters: not available")
        }
        for expectation in expectations {
            lines.append(
                "\(expectation.passed ? "ok  " : "FAIL") step \(expectation.step): \(expectation.expected) — "
                    + expectation.found)
        }
        if let stopped { lines.append("stopped early: \(stopped)") }
        return lines.joined(separator: "\n")
    }

    /// `1d 06:30` for simulated seconds.
    public static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let days = total / 86400
        let clock = String(format: "%02d:%02d", total % 86400 / 3600, total % 3600 / 60)
        return days > 0 ? "\(days)d \(clock)" : clock
    }
}
