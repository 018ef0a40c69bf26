/// A failure of the device side, in one line for the person who runs it.
public struct DeviceAgentError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }

    /// The store no longer knows the device session (401 with `refresh_device_session=1`).
    public static let sessionExpired = DeviceAgentError("the store asks for a new device session")
}
