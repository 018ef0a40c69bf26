import Foundation

/// Reads a named file, or standard input for `-` or no name.
enum InputFile {
    static func read(_ path: String?) throws -> [UInt8] {
        if path == nil || path == "-" {
            return Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        guard let path, let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read \(path ?? "standard input")")
        }
        return Array(data)
    }
}
