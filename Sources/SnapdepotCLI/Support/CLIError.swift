import ArgumentParser

/// A failure the CLI reports as one line on stderr, exiting with status 1.
public struct CLIError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
