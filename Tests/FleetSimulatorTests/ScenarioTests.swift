import Foundation
import Testing

@testable import FleetSimulator

/// Scenario files as a release manager writes them: the shipped ones read, and each mistake named
/// with its step before any device starts.
@Suite struct ScenarioTests {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("seed-data/scenarios")

    @Test func theShippedScenariosRead() throws {
        let corrupted = try Scenario.read(Self.shipped.appendingPathComponent("corrupted-download-halts.yaml").path)
        #expect(corrupted.devices == 5000 && corrupted.snap == "myawesomesnap")
        #expect(
            corrupted.steps == [
                .release(
                    .init(
                        snap: "myawesomesnap", revision: 2, channel: "stable", progressive: 10, group: nil,
                        haltAt: "1%", minAttempts: 20)),
                .fault(
                    .init(
                        kind: "corrupt", endpoint: nil, snap: "myawesomesnap", revision: 2, group: nil,
                        devicePercent: 1, chance: nil, times: nil, status: nil, delayMilliseconds: nil,
                        afterBytes: nil, bytesPerSecond: nil)),
                .wait(2 * 86400), .expect(.rollout("halted")), .expect(.everyDeviceWorking),
            ])
        let canary = try Scenario.read(Self.shipped.appendingPathComponent("canary-then-everyone.yaml").path)
        #expect(canary.steps.first == .group(.init(name: "canary", devicePercent: 5)))
        #expect(canary.steps.contains(.expect(.revisionShare(revision: 2, atLeastPercent: 99, by: 3 * 86400))))
    }

    @Test func mistakesAreNamedWithTheirStep() {
        let head = "name: t\nsnap: hello\nsteps:\n"
        for (text, words) in [
            (head + "  - relase: {revision: 2}\n", "step 1: unknown step \"relase\""),
            (head + "  - release: {}\n", "step 1: release needs revision"),
            (head + "  - release: {revision: 2, progresive: 10}\n", "release has no field \"progresive\""),
            (head + "  - release: {revision: 2, progressive: 150}\n", "at most 100 %"),
            (head + "  - wait: 1d\n  - wait: soon\n", "step 2: \"soon\" is not a duration"),
            (head + "  - fault: {kind: explode}\n", "unknown fault kind \"explode\""),
            (head + "  - expect: {rollout: stuck}\n", "halted, rolling or none"),
            ("name: t\nsnap: hello\ndevices: 0\nsteps:\n  - wait: 1d\n", "devices must be at least 1"),
            ("name: t\nsteps:\n  - wait: 1d\n", "names the snap"),
            ("name: t\nsnap: hello\nsteps: []\n", "needs steps"),
            ("name: t\nsnap: hello\ndevice: 3\nsteps:\n  - wait: 1d\n", "unknown key \"device\""),
        ] {
            #expect(throws: ScenarioError.self) { try Scenario.parse(text) }
            do {
                _ = try Scenario.parse(text)
            } catch {
                #expect("\(error)".contains(words), "\(text): \(error)")
            }
        }
    }
}
