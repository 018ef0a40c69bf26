import Foundation
import StoreCore
import StoreProtocol
import StoreTestSupport
import TestSupport
import Testing

/// A store signing as snapd's test root, as a CI pipeline with a `withtestkeys` snapd build uses it:
/// `serve --testrootorg`, then `snapdepot import` of a snap with the .assert a real store would give.
@Suite(.enabled(if: SnapdSource.available, "needs snapd's source and the Go checker: run scripts/test"))
struct TestRootStoreTests {
    @Test func importsASnapSignedAsTestrootorg() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let data = fixture.folder.appendingPathComponent("testroot").path
        let server = try ServerProcess(data: data, extraArguments: ["--testrootorg"])
        defer { server.stop() }
        let trust = try await server.request(.GET, "/admin/v1/trust")
        #expect(try trust.json()["authority-id"] as? String == "testrootorg")

        let snap = try fixture.packSnap("hello-depot", version: "3.3")
        let assertions = fixture.folder.appendingPathComponent("hello.assert").path
        let signed = try SnapdSource.runChecker(["sign-snap", snap, "33", assertions])
        try #require(signed.status == 0, "\(signed.output)")

        let environment = ["SNAPDEPOT_URL": server.url, "SNAPDEPOT_TOKEN": server.adminToken]
        let imported = try runCLI(["import", snap, assertions, "--release", "stable", "--json"], environment)
        #expect(imported.status == 0, "\(imported.output)")
        let record = try WireJSON.decoder.decode(RevisionRecord.self, from: Data(imported.output.utf8))
        #expect(record.snapID == "upstreamsnapid000000000000000001")
        #expect(record.revision == 33)
        let status = try runCLI(["status", "hello-depot"], environment)
        #expect(status.output.contains("latest  all   stable     3.3      33"), "\(status.output)")
        // The same import again changes nothing.
        #expect(try runCLI(["import", snap, assertions], environment).status == 0)
        let revisions = try runCLI(["revisions", "hello-depot", "--json"], environment)
        #expect(try WireJSON.decoder.decode([RevisionRecord].self, from: Data(revisions.output.utf8)).count == 1)
    }

    private func runCLI(_ arguments: [String], _ environment: [String: String]) throws -> CommandResult {
        let process = Process()
        process.executableURL = ServerProcess.binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
