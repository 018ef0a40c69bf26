import ArgumentParser
import Assertions
import Foundation
import StoreCore

struct AssertionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assertions", abstract: "Import assertions into the store.", subcommands: [Import.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import assertion streams; each must verify against the store's trust database.")

        @Argument(help: "Files holding assertion streams.") var files: [String]
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            var bytes: [UInt8] = []
            for file in files {
                let assertions = try AssertionStream.decode(try InputFile.read(file))
                bytes = AssertionStream.encode(try AssertionStream.decode(bytes) + assertions)
            }
            let report = try await StoreClient.fromEnvironment().postRaw(
                "/admin/v1/assertions", bytes: bytes, as: ImportReport.self)
            if json { return try JSONOutput.print(report) }
            for line in report.imported { print("imported \(line)") }
        }
    }
}
