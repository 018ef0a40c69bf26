import Foundation
import Testing

@testable import TestSupport

/// `snapdepot fleet run` as a release manager runs it: the shipped scenarios at a small N against
/// the embedded store, the same seed giving the same run, and each kind of bad input refused with
/// its reason.
@Suite(.serialized) struct FleetTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let scenarios = root.appendingPathComponent("seed-data/scenarios")

    struct Run {
        let status: Int32
        let output: String
        let summary: [String: Any]

        var expectations: [[String: Any]] { summary["expectations"] as? [[String: Any]] ?? [] }
        var traffic: [String: Any] { summary["traffic"] as? [String: Any] ?? [:] }
        var failures: [String: Int] { summary["failures"] as? [String: Int] ?? [:] }
    }

    /// Runs `snapdepot fleet run ARGS --json` from the project's root, where `seed-data/` is.
    static func fleet(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = ["fleet", "run"] + arguments + ["--json"]
        process.currentDirectoryURL = root
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let summary = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        return Run(
            status: process.terminationStatus, output: String(decoding: data, as: UTF8.self) + text, summary: summary)
    }

    /// Each at the smallest fleet whose rollout share still gives its health gate enough devices.
    @Test(arguments: [
        ("corrupted-download-halts", 300), ("canary-then-everyone", 200), ("health-check-fails-reverts", 200),
    ])
    func aShippedScenarioHoldsAtASmallFleet(_ name: String, devices: Int) throws {
        let csv = try makeTemporaryDirectory("fleet").appendingPathComponent("series.csv")
        let run = try Self.fleet([
            "--scenario", Self.scenarios.appendingPathComponent("\(name).yaml").path, "--devices", String(devices),
            "--csv", csv.path,
        ])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.summary["registered"] as? Int == devices)
        #expect(!run.expectations.isEmpty && run.expectations.allSatisfy { $0["passed"] as? Bool == true })
        #expect(run.summary["devices-not-working"] as? Int == 0)
        // The store counted what the devices sent: the cross-check is part of the summary.
        #expect(run.traffic["matches"] as? Bool == true, "\(run.traffic)")
        let traffic = run.traffic["devices"] as? [String: Int] ?? [:]
        #expect(traffic["serials"] == devices && (traffic["snap-actions"] ?? 0) >= devices)
        let series = try String(contentsOf: csv, encoding: .utf8).split(separator: "\n")
        #expect(series.first?.hasPrefix("hour,") == true && series.count > 24)
        switch name {
        case "corrupted-download-halts":
            // Devices refused the corrupted bytes themselves; the gate halted the rollout on them.
            #expect((run.failures["corrupt download"] ?? 0) >= 1, "\(run.failures)")
            // The halt kept r2 within its 10 % share; every other device stayed on r1.
            let revisions = run.summary["revisions"] as? [String: Int] ?? [:]
            #expect((revisions["2"] ?? 0) <= devices / 10 && (revisions["1"] ?? 0) >= devices * 9 / 10, "\(revisions)")
        case "health-check-fails-reverts":
            // The devices whose check-health failed went back to r1 at once: each a revert.
            #expect((run.failures["check-health failed"] ?? 0) >= 1, "\(run.failures)")
            #expect((run.summary["reverts"] as? Int ?? 0) == run.failures["check-health failed"])
        default:
            #expect(((run.summary["revisions"] as? [String: Int])?["2"] ?? 0) >= devices * 99 / 100)
            #expect(run.failures.isEmpty, "\(run.failures)")
        }
    }

    @Test func theSameSeedGivesTheSameRun() throws {
        let folder = try makeTemporaryDirectory("fleet-seed")
        var runs: [(Run, String)] = []
        for attempt in 0..<2 {
            let csv = folder.appendingPathComponent("\(attempt).csv")
            let run = try Self.fleet([
                "--scenario", Self.scenarios.appendingPathComponent("canary-then-everyone.yaml").path,
                "--devices", "120", "--seed", "7", "--offline-per-day", "0.2", "--csv", csv.path,
            ])
            #expect(run.status == 0, "\(run.output)")
            runs.append((run, try String(contentsOf: csv, encoding: .utf8)))
        }
        let timings: Set = [
            "wall-seconds", "wall-seconds-to", "store-requests-per-second", "memory-per-device-bytes", "traffic",
        ]
        let (first, second) = (runs[0].0.summary, runs[1].0.summary)
        for key in Set(first.keys).union(second.keys).subtracting(timings) {
            #expect(
                (first[key] as? NSObject) == (second[key] as? NSObject),
                "\(key): \(first[key] ?? "-") vs \(second[key] ?? "-")")
        }
        #expect(runs[0].1 == runs[1].1, "the hourly series differ")
        // Devices went offline on the seed's days, and the summary counts what they missed.
        #expect((first["offline-skips"] as? Int ?? 0) > 0)
    }

    @Test func badInputIsRefusedBeforeAnyDeviceStarts() throws {
        let folder = try makeTemporaryDirectory("fleet-bad")
        func scenario(_ steps: String) throws -> String {
            let file = folder.appendingPathComponent("\(UUID().uuidString).yaml")
            try Data("name: bad\nsnap: myawesomesnap\nsteps:\n\(steps)".utf8).write(to: file)
            return file.path
        }
        let notATar = folder.appendingPathComponent("image.tar")
        try Data("not a tar".utf8).write(to: notATar)
        for (arguments, words) in [
            (["--devices", "0"], "--devices must be at least 1"),
            (["--devices", "5", "--scenario", try scenario("  - rolout: {revision: 2}\n")], "unknown step \"rolout\""),
            (
                ["--devices", "5", "--scenario", try scenario("  - release: {revision: 2, snap: nosuchsnap}\n")],
                "follows \"myawesomesnap\", not \"nosuchsnap\""
            ),
            (["--devices", "5", "--scenario", try scenario("  - release: {revision: 99}\n")], "has no revision 99"),
            (
                ["--devices", "5", "--scenario", try scenario("  - release: {revision: 2, to: nobody}\n")],
                "no group \"nobody\""
            ),
            (["--devices", "5", "--snap", "x", "--image", notATar.path], "cannot be flashed"),
        ] {
            let run = try Self.fleet(arguments)
            #expect(run.status != 0, "\(arguments)")
            #expect(run.output.contains(words), "\(arguments): \(run.output)")
        }
        let unknownSnap = try Self.fleet([
            "--devices", "5", "--scenario",
            try {
                let file = folder.appendingPathComponent("unknown-snap.yaml")
                try Data("name: bad\nsnap: nosuchsnap\nsteps:\n  - wait: 1h\n".utf8).write(to: file)
                return file.path
            }(),
        ])
        #expect(unknownSnap.status != 0 && unknownSnap.output.contains("the store has no snap \"nosuchsnap\""))
    }

    @Test func devicesThatDoNotTrustTheStoreDoNotStart() throws {
        let other = try makeTemporaryDirectory("fleet-other-root")
        let made = try runCommand(
            ServerProcess.binary.path, ["trust", "init", "--data", other.path, "--key-bits", "1024"])
        #expect(made.status == 0, "\(made.output)")
        let roots = try runCommand(ServerProcess.binary.path, ["trust", "show", "--data", other.path, "--assertions"])
        let file = other.appendingPathComponent("roots.assert")
        try Data(roots.output.utf8).write(to: file)
        let run = try Self.fleet(["--devices", "3", "--trusted", file.path])
        #expect(run.status != 0)
        #expect(run.output.contains("not among the trusted roots"), "\(run.output)")
    }

    @Test func aStoreThatGoesAwayEndsTheRunWithAPartialSummary() async throws {
        let data = try makeTemporaryDirectory("fleet-store").appendingPathComponent("data")
        let loaded = try runCommand(
            ServerProcess.binary.path,
            [
                "seed-data", "load", "--data", data.path, "--seed-data",
                Self.root.appendingPathComponent("seed-data").path,
                "--key-bits", "2048",
            ])
        #expect(loaded.status == 0, "\(loaded.output)")
        let server = try ServerProcess(data: data.path)
        // Killed a few seconds into a run paced at one simulated hour per second.
        DispatchQueue.global().asyncAfter(deadline: .now() + 8) { server.stop(SIGKILL) }
        let run = try Self.fleet(
            ["--store", server.url, "--devices", "20", "--speed", "3600", "--duration", "2d"],
            environment: ["SNAPDEPOT_TOKEN": server.adminToken])
        #expect(run.status == 1, "\(run.output)")
        #expect((run.summary["stopped"] as? String)?.contains("the store stopped answering") == true, "\(run.output)")
        #expect(run.summary["registered"] as? Int == 20)
        #expect((run.summary["simulated-seconds"] as? Double ?? 0) < 2 * 86400)
    }
}
