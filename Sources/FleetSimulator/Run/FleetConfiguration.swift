import DeviceAgent
import Foundation

/// How a fleet runs: how many devices, how fast simulated time goes, and what devices do besides
/// refreshing.
public struct FleetConfiguration: Sendable {
    public var devices: Int
    /// Decides every per-device draw: boot times, refresh windows, time offline, fault hooks.
    public var seed: UInt64 = 1
    /// Simulated seconds per wall second; 0 runs as fast as the store and the machine allow.
    public var speed: Double = 0
    /// Simulated time to run after the scenario starts; nil runs to the scenario's last step (a
    /// day without a scenario).
    public var duration: TimeInterval?
    /// Devices working at once.
    public var concurrency = 64
    /// The share of devices (0–1) that go offline on a given simulated day, for 1 to 12 hours.
    public var offlinePerDay = 0.0
    /// Devices propose serials `PREFIX-N` to the vault, so a seed places them the same way.
    public var serialPrefix: String
    /// The snap whose revisions the run follows (the scenario's).
    public var snap: String
    /// Simulated time of the scenario's start; devices boot in the hour before.
    public var start = Date(timeIntervalSince1970: 1_796_083_200)  // 2026-12-01T00:00:00Z
    /// Simulated time advances in steps this long; devices due within one run together.
    public var tick: TimeInterval = 60
    /// Whether devices ask for deltas and apply them, as snapd does when xdelta3 runs.
    public var deltas = Agent.deltasByDefault
    /// This process's slice, when the fleet is split across processes or machines.
    public var shard: FleetShard?

    /// The devices simulated here: all of them, or the shard's.
    public var localDevices: Int { shard?.devices(of: devices) ?? devices }

    public init(devices: Int, snap: String, serialPrefix: String) {
        self.devices = devices
        self.snap = snap
        self.serialPrefix = serialPrefix
    }
}
