import Foundation
import TestSupport
import Testing

/// `snapdepot-bench fleet` runs end to end on a small fleet, so the benchmark cannot rot: the fleet
/// converges, its figures are all there, and the store's counters match the devices'.
@Suite struct FleetBenchTests {
    @Test func theFleetBenchmarkConvergesASmallFleet() throws {
        let bench = ServerProcess.binary.deletingLastPathComponent().appendingPathComponent("snapdepot-bench")
        let keys = try makeTemporaryDirectory("fleet-bench").appendingPathComponent("keys.pem")
        let result = try runCommand(
            bench.path,
            [
                "fleet", "--sizes", "30", "--key-pool", keys.path, "--seed-data",
                FleetTests.root.appendingPathComponent("seed-data").path, "--json",
            ])
        try #require(result.status == 0, "\(result.output)")
        let start = try #require(result.output.firstIndex(of: "["))
        let rows = try #require(
            try JSONSerialization.jsonObject(with: Data(result.output[start...].utf8)) as? [[String: Any]])
        let row = try #require(rows.first)
        #expect(row["devices"] as? Int == 30)
        #expect(row["converged"] as? Bool == true, "\(row)")
        #expect(row["counters-match"] as? Bool == true, "\(row)")
        #expect((row["wall-seconds-to-converge"] as? Double ?? -1) >= 0, "\(row)")
        #expect((row["peak-memory-bytes"] as? Int ?? 0) > 0 && (row["store-requests-per-second"] as? Double ?? 0) > 0)
        // The key pool keeps the keys for the next run, private to their owner.
        let mode = try FileManager.default.attributesOfItem(atPath: keys.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
