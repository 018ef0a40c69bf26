/// A fleet run that cannot start or go on, in words for the person running it.
public struct FleetError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
