import Foundation
import TestSupport
import Testing

/// `snapdepot-bench vault` runs end to end on a small scale and reports every figure (a smoke run: the
/// figures themselves belong to the benchmark, not to a test).
@Suite struct VaultBenchTests {
    @Test func theVaultBenchmarkRegistersOpensSessionsAndRefreshes() throws {
        let bench = ServerProcess.binary.deletingLastPathComponent().appendingPathComponent("snapdepot-bench")
        let result = try runCommand(
            bench.path,
            [
                "vault", "--devices", "12", "--connections", "3", "--brand-key-bits", "1024", "--seconds", "1",
                "--json",
            ])
        try #require(result.status == 0, "\(result.output)")
        let start = try #require(result.output.firstIndex(of: "{"))
        let figures = try #require(
            try JSONSerialization.jsonObject(with: Data(result.output[start...].utf8)) as? [String: Any])
        for key in ["registration", "session"] {
            let load = try #require(figures[key] as? [String: Any], "\(key): \(figures)")
            #expect((load["requests-per-second"] as? Double ?? 0) > 0, "\(key): \(load)")
        }
        #expect((figures["refresh-with-session"] as? [Any])?.count == 2)
        #expect((figures["refresh-anonymous"] as? [Any])?.count == 2)
    }
}
