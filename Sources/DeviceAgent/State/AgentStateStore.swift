import Assertions
import Foundation
import StoreProtocol

/// Where an agent keeps its state: a file on a device (`state.json`), or memory for the thousands
/// of devices a fleet simulation runs in one process.
public protocol AgentStateStore: Sendable {
    /// The saved state; nil before the first save.
    func load() throws -> AgentState?
    /// Replaces the saved state whole.
    func save(_ state: AgentState) throws
}

/// `state.json` in the device folder, written as snapd writes its state: a temporary file,
/// fsync, then rename over the old one, so a power cut leaves the old state or the new, whole.
public struct FileStateStore: AgentStateStore {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    public func load() throws -> AgentState? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try WireJSON.literalDecoder.decode(AgentState.self, from: data)
        } catch {
            throw DeviceAgentError("\(path) is not the agent's state: \(error)")
        }
    }

    public func save(_ state: AgentState) throws {
        let encoder = WireJSON.literalEncoder
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try PrivateFile.write(Array(try encoder.encode(state)), to: URL(fileURLWithPath: path))
    }
}

/// State kept in memory only: a simulated device's.
public final class MemoryStateStore: AgentStateStore, @unchecked Sendable {
    private let lock = NSLock()
    private var state: AgentState?

    public init(_ state: AgentState? = nil) {
        self.state = state
    }

    public func load() throws -> AgentState? {
        lock.withLock { state }
    }

    public func save(_ state: AgentState) throws {
        lock.withLock { self.state = state }
    }
}
