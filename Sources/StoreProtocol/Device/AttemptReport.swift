/// `POST /snapdepot/v1/attempts`: snapdepot's own addition to the device API, which snapd does
/// not send. The agent tells the store, under its device session, how one install or refresh
/// ended and, when it failed, at which step and why, so that a store can tell a bad download from a
/// failed health check where snapd's reports only show that a device stayed behind.
public struct AttemptReport: Codable, Sendable, Equatable {
    public enum Result: String, Codable, Sendable {
        /// Installed and current.
        case done
        /// Failed before anything was in place.
        case error
        /// Failed after it was in place, and was undone.
        case undone
    }

    public var snapID: String
    public var revision: Int
    public var result: Result
    /// The step that failed, in the agent's words.
    public var step: String?
    public var reason: String?

    public init(snapID: String, revision: Int, result: Result, step: String? = nil, reason: String? = nil) {
        self.snapID = snapID
        self.revision = revision
        self.result = result
        self.step = step
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey {
        case snapID = "snap-id"
        case revision, result, step, reason
    }
}
