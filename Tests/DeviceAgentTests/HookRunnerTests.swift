import DeviceAgent
import Foundation
import SnapFiles
import TestSupport
import Testing

/// A snap's own hooks run as processes with the snap's environment, and one that overruns is ended.
@Suite struct HookRunnerTests {
    private static func snap(hook: String?) throws -> String {
        let folder = try makeTemporaryDirectory("hook-snap")
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("meta/hooks"), withIntermediateDirectories: true)
        try Data("name: hooked\nversion: '1'\nsummary: s\ndescription: d\n".utf8)
            .write(to: folder.appendingPathComponent("meta/snap.yaml"))
        if let hook {
            try Data("#!/bin/sh\n\(hook)\n".utf8).write(to: folder.appendingPathComponent("meta/hooks/check-health"))
        }
        let output = folder.path + ".snap"
        _ = try SnapPacker().pack(directory: folder.path, output: output)
        return output
    }

    @Test func aHookRunsWithTheSnapsEnvironmentInAFolderOfItsOwn() async throws {
        let path = try Self.snap(
            hook: #"[ "$SNAP_REVISION" = 7 ] && [ "$SNAP_NAME" = hooked ] && [ "$(pwd)" = "$SNAP_DATA" ] || exit 9"#)
        let ran = try await HookRunner().run("check-health", snapAt: path, name: "hooked", version: "1", revision: 7)
        #expect(ran)
        let none = try await HookRunner().run("install", snapAt: path, name: "hooked", version: "1", revision: 7)
        #expect(!none, "a snap without the hook has nothing to run")
    }

    @Test func aFailingHookIsAnErrorWithItsStatusAndLastLine() async throws {
        let path = try Self.snap(hook: "echo checking; echo database unreachable >&2; exit 3")
        await #expect {
            try await HookRunner().run("check-health", snapAt: path, name: "hooked", version: "1", revision: 2)
        } throws: {
            "\($0)" == "the check-health hook of \"hooked\" (2) failed with exit status 3: database unreachable"
        }
    }

    @Test func aHookPastItsTimeoutIsKilledWithWhatItStarted() async throws {
        let path = try Self.snap(hook: "sleep 60 & sleep 60")
        await #expect {
            try await HookRunner(timeout: .milliseconds(500)).run(
                "check-health", snapAt: path, name: "hooked", version: "1", revision: 2)
        } throws: {
            "\($0)" == "the check-health hook of \"hooked\" (2) was killed (timed out after 0.5 s)"
        }
    }
}
