import Assertions
import DeviceAgent
import Foundation
import SnapFiles
import TestSupport
import Testing

/// What a device survives: the power cut at every step of an install, and a kernel that does not
/// boot. After each, every snap has exactly one current revision, complete and verified.
@Suite(.serialized, .enabled(if: SnapdSource.available, "needs snapd's source: run scripts/test"))
struct AgentPowerTests {
    typealias Device = AgentTests.Device

    /// The device as a person checking it after a restart would: the state file loads, no change
    /// is left half-done, each kept revision's file is whole and matches a snap-revision the
    /// device verified, and no other snap file lies around.
    static func expectOneWorkingRevisionPerSnap(_ device: Device, _ context: String) throws {
        let state = try Agent.open(folder: device.folder).state()
        let database = try DeviceAssertions.open(FileDeviceStorage(folder: device.folder)).database
        #expect(state.changes.allSatisfy { $0.status != .doing }, "\(context): \(state.changes)")
        var expected = Set<String>()
        for snap in state.snaps {
            #expect(snap.sequence.contains(snap.current) && snap.boot == nil, "\(context): \(snap)")
            for revision in snap.sequence {
                let name = "\(snap.name)_\(revision).snap"
                expected.insert(name)
                let file = try SnapFile.open(path: device.folder.appendingPathComponent("snaps/\(name)").path)
                let signed = database.find(AssertionReference(.snapRevision, [file.sha3_384Base64URL]))
                #expect(signed?.string("snap-revision") == String(revision), "\(context): \(name) is not verified")
            }
        }
        let present = try FileManager.default.contentsOfDirectory(
            atPath: device.folder.appendingPathComponent("snaps").path
        ).filter { $0.hasSuffix(".snap") }
        #expect(Set(present) == expected, "\(context): files on disk")
    }

    @Test func aPowerCutAtEveryStepOfARefreshIsFinishedOrUndoneAtTheNextBoot() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        try #require(try device.agent(["boot"]).status == 0)
        for step in InstallStep.allCases {
            let from = try #require(try device.snaps()["myawesomesnap"]?.current)
            let to = from == 2 ? 3 : 2
            try device.release(to)
            let cut = try device.agent(["refresh", "--power-cut-after", step.rawValue])
            #expect(cut.status == SIGKILL, "\(step): the agent was killed: \(cut.output)")

            let booted = try device.agent(["boot"])
            try #require(booted.status == 0, "\(step): \(booted.output)")
            let state = try Agent.open(folder: device.folder).state()
            let change = try #require(state.changes.last { $0.snap == "myawesomesnap" })
            let pastSwitch =
                InstallStep.allCases.firstIndex(of: step)! >= InstallStep.allCases.firstIndex(of: .switched)!
            if pastSwitch {
                #expect(change.status == .done, "\(step): finished after the restart: \(change)")
                #expect(state.snap(named: "myawesomesnap")?.current == to)
            } else {
                #expect([.undone, .error].contains(change.status), "\(step): undone after the restart: \(change)")
                #expect(state.snap(named: "myawesomesnap")?.current == from)
            }
            try Self.expectOneWorkingRevisionPerSnap(device, "after a cut at \(step)")

            // The device carries on: the next refresh reaches the released revision.
            let again = try device.agent(["refresh"])
            #expect(again.status == 0, "\(step): \(again.output)")
            #expect(try device.snaps()["myawesomesnap"]?.current == to, "\(step)")
            try Self.expectOneWorkingRevisionPerSnap(device, "after the refresh that followed \(step)")
        }
    }

    /// A kernel refresh boots the new kernel on trial, as snapd's try mode does: one that boots is
    /// kept; one that does not leaves the device on the previous kernel.
    @Test func aKernelThatDoesNotBootIsRolledBackAndOneThatBootsIsKept() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        try #require(try device.agent(["boot"]).status == 0)
        // A kernel revision that lost its kernel.img.
        let broken = try device.uploadVariant(of: "pi2-kernel") {
            try FileManager.default.removeItem(at: $0.appendingPathComponent("kernel.img"))
        }

        let refused = try device.agent(["refresh"])
        #expect(refused.status != 0, "\(refused.output)")
        #expect(
            refused.output.contains("revision \(broken) of \"pi2-kernel\" did not boot")
                && refused.output.contains("went back to revision 1"), "\(refused.output)")
        #expect(try device.snaps()["pi2-kernel"]?.current == 1)
        try Self.expectOneWorkingRevisionPerSnap(device, "after the failed boot")
        let changes = try device.agent(["changes"])
        #expect(changes.output.contains("Restart into \"pi2-kernel\" (1) again"), "\(changes.output)")

        // A power cut during the trial boot: the boot loader finds it `trying` and goes back.
        let good = try device.world.store.snapdepot(["release", "pi2-kernel", "2", "stable"])
        try #require(good.status == 0, "\(good.output)")
        let cut = try device.agent(["refresh", "--power-cut-after", "switched"])
        #expect(cut.status == SIGKILL)
        var state = try Agent.open(folder: device.folder).state()
        #expect(state.snap(named: "pi2-kernel")?.boot == .tryNext, "on trial until the next boot")
        // Marked `trying` by a boot that never reached boot-ok:
        let statePath = device.folder.appendingPathComponent("state.json")
        let text = try String(contentsOf: statePath, encoding: .utf8)
        try text.replacingOccurrences(of: "\"boot\" : \"try\"", with: "\"boot\" : \"trying\"")
            .write(to: statePath, atomically: true, encoding: .utf8)
        #expect(try device.agent(["boot"]).status == 0)
        state = try Agent.open(folder: device.folder).state()
        #expect(state.snap(named: "pi2-kernel")?.current == 1)
        #expect(state.changes.last?.tasks.contains { $0.reason?.contains("stopped before boot-ok") == true } == true)

        // The good kernel, refreshed again, boots and is kept.
        let refreshed = try device.agent(["refresh"])
        #expect(
            refreshed.status == 0 && refreshed.output.contains("pi2-kernel refreshed from 1 to 2"),
            "\(refreshed.output)")
        #expect(try device.snaps()["pi2-kernel"]?.current == 2)
        #expect(try device.agent(["changes"]).output.contains("on trial: boot-ok"))
        try Self.expectOneWorkingRevisionPerSnap(device, "after the kernel that booted")
    }

    /// A simulated device (the fleet's) runs none of the snap's code: its hooks' and boots'
    /// outcomes are set per revision beforehand, and the agent undoes what they fail.
    @Test func simulatedOutcomesFailAHookAndABootAsRealOnesWould() async throws {
        let device = try await Device.flash()
        defer { device.stop() }
        var agent = try Agent.open(folder: device.folder)
        try await agent.boot()
        agent.hooks.simulated[.init(SnapAndRevision(snap: "myawesomesnap", revision: 2), hook: "check-health")] =
            "database down"
        agent.simulatedBootFailures = [SnapAndRevision(snap: "pi2-kernel", revision: 2)]
        try device.release(2)
        let kernel = try device.world.store.snapdepot(["release", "pi2-kernel", "2", "stable"])
        try #require(kernel.status == 0, "\(kernel.output)")

        let report = try await agent.refresh()
        #expect(report.refreshed.isEmpty, "\(report)")
        let reasons = Dictionary(uniqueKeysWithValues: report.failed.map { ($0.name, $0.reason) })
        #expect(reasons["myawesomesnap"]?.contains("check-health hook") == true, "\(report)")
        #expect(reasons["myawesomesnap"]?.hasSuffix("database down (simulated)") == true, "\(report)")
        #expect(reasons["pi2-kernel"]?.contains("did not boot (a simulated boot failure)") == true, "\(report)")
        #expect(try device.snaps()["myawesomesnap"]?.current == 1 && device.snaps()["pi2-kernel"]?.current == 1)
        try Self.expectOneWorkingRevisionPerSnap(device, "after the simulated failures")

        // Without them, the same revisions go in.
        agent.hooks.simulated = [:]
        agent.simulatedBootFailures = []
        let clean = try await agent.refresh()
        #expect(Set(clean.refreshed.map(\.name)) == ["myawesomesnap", "pi2-kernel"], "\(clean)")
    }
}
