/// A failure of the device side, in one line for the person who runs it.
public struct DeviceAgentError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
