import Foundation
import SnapFiles
import TestSupport
import Testing

@testable import DeviceAgent

/// The agent's state is saved whole or not at all, on a device's disk or in memory.
@Suite struct AgentStateStoreTests {
    static func sample() -> AgentState {
        var state = AgentState()
        state.seeded = true
        state.put(
            .init(
                name: "hello", snapID: "helloid", type: "app", version: "1.0", current: 2, sequence: [1, 2],
                channel: "latest/stable", epoch: Epoch(read: [0, 1], write: [1]),
                refreshedAt: "2026-11-30T00:00:00+00:00"))
        let change = state.newChange(
            kind: "refresh-snap", summary: "Refresh \"hello\"", at: "2026-11-30T00:00:00+00:00")
        state.record(change, .init(summary: "Download", status: .error, reason: "sha3-384 mismatch"))
        state.finish(change, .error, at: "2026-11-30T00:00:01+00:00")
        return state
    }

    @Test func theFileReadsBackWhatWasSavedAndIsTheOwnersAlone() throws {
        let folder = try makeTemporaryDirectory("agent-state")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = FileStateStore(path: folder.appendingPathComponent("state.json").path)
        #expect(try store.load() == nil, "nothing before the first save")
        try store.save(Self.sample())
        #expect(try store.load() == Self.sample())
        let mode = try FileManager.default.attributesOfItem(atPath: store.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["state.json"],
            "the temporary file was renamed")
    }

    /// A write cut before its rename leaves a temporary file; the state is the last whole one.
    @Test func aCutWriteLeavesTheLastWholeState() throws {
        let folder = try makeTemporaryDirectory("agent-state")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = FileStateStore(path: folder.appendingPathComponent("state.json").path)
        try store.save(Self.sample())
        let leftover = folder.appendingPathComponent(".state.json.1.tmp")
        try Data("{\"snaps\": [".utf8).write(to: leftover)
        #expect(try store.load() == Self.sample())
        try store.save(AgentState())
        #expect(try store.load() == AgentState())
        #expect(FileManager.default.fileExists(atPath: leftover.path), "another writer's file is not touched")
    }

    @Test func aDamagedFileIsRefusedWithItsPath() throws {
        let folder = try makeTemporaryDirectory("agent-state")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("state.json").path
        try Data("not json".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: DeviceAgentError.self) { try FileStateStore(path: path).load() }
    }

    @Test func memoryKeepsTheStateForSimulatedDevices() throws {
        let store = MemoryStateStore()
        #expect(try store.load() == nil)
        try store.save(Self.sample())
        #expect(try store.load() == Self.sample())
    }

    @Test func tracksChannelsInFullFormAsSnapdStoresThem() {
        #expect(Agent.fullChannel("stable") == "latest/stable")
        #expect(Agent.fullChannel("2.x/candidate") == "2.x/candidate")
        #expect(Agent.fullChannel("edge/fix-1") == "latest/edge/fix-1")
    }
}
