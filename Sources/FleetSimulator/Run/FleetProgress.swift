import Foundation

/// Where a run is, for the progress line.
public struct FleetProgress: Sendable {
    /// Simulated seconds since the scenario's start (negative while devices boot).
    public let simulatedSeconds: Double
    public let registered: Int
    public let devices: Int
    /// Devices per revision of the followed snap (0: without it).
    public let revisions: [Int: Int]
    public let failures: Int
    public let requestsPerSecond: Double

    /// `day 1 06:00  5000/5000 registered  r1 4500 · r2 500  failures 3  1234 req/s`
    public var line: String {
        let time =
            simulatedSeconds < 0
            ? "boot -\(FleetSummary.duration(-simulatedSeconds))"
            : "day \(Int(simulatedSeconds) / 86400) \(FleetSummary.duration(simulatedSeconds.truncatingRemainder(dividingBy: 86400)))"
        let spread = revisions.sorted { $0.key < $1.key }.map { "\($0.key == 0 ? "none" : "r\($0.key)") \($0.value)" }
            .joined(separator: " · ")
        return "\(time)  \(registered)/\(devices) registered  \(spread)  failures \(failures)  "
            + String(format: "%.0f req/s", requestsPerSecond)
    }
}
