import Foundation
import TestSupport
import Testing

/// `snapdepot-bench agent` runs end to end on a small scale: every cycle it times moved a device to
/// the revision just released (the benchmark stops otherwise), and every figure is there.
@Suite struct AgentBenchTests {
    @Test func theAgentBenchmarkRefreshesOneDeviceAndAFleet() throws {
        let bench = ServerProcess.binary.deletingLastPathComponent().appendingPathComponent("snapdepot-bench")
        let result = try runCommand(
            bench.path, ["agent", "--devices", "3", "--rounds", "2", "--seconds", "0.2", "--json"])
        try #require(result.status == 0, "\(result.output)")
        let start = try #require(result.output.firstIndex(of: "{"))
        let figures = try #require(
            try JSONSerialization.jsonObject(with: Data(result.output[start...].utf8)) as? [String: Any])
        for key in ["one-device", "fleet"] {
            let load = try #require(figures[key] as? [String: Any], "\(key): \(figures)")
            #expect((load["requests-per-second"] as? Double ?? 0) > 0, "\(key): \(load)")
        }
        #expect((figures["fleet"] as? [String: Any])?["connections"] as? Int == 3)
        #expect((figures["store-refresh"] as? [Any])?.count == 2)
    }
}
