import Foundation
import Testing

/// A store that is not there: the commands that talk to one say so and exit non-zero (after the
/// client's connect timeout), rather than retrying until a request deadline of an hour.
@Suite struct UnreachableStoreTests {
    @Test(arguments: [["status", "hello"], ["devices", "list"], ["vault", "list", "--account", "acme"]])
    func commandsReportAStoreThatIsNotThere(_ arguments: [String]) throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let result = try cli.run(
            arguments, environment: ["SNAPDEPOT_URL": "http://127.0.0.1:9", "SNAPDEPOT_TOKEN": "unused"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot reach the store at http://127.0.0.1:9"), "\(result.stderr)")
    }
}
