import ChildProcesses
import Foundation
import StoreTestSupport
import TestSupport
import Testing

/// Two `snapdepot serve --database postgres://…` replicas on one PostgreSQL database and one data
/// folder, as behind a load balancer: what one is told the other serves, snapd's own client
/// downloads through either and verifies the chain, and when one is killed the other goes on.
@Suite(
    .serialized,
    .enabled(
        if: SnapdSource.snapCLI != nil && SnapdSource.available && PostgresTestDatabase.server != nil,
        "needs snapd's snap CLI and PostgreSQL: run scripts/test as root"))
struct ScaleOutTests {
    @Test func twoReplicasServeOneCatalogueAndOneGoesOnWhenTheOtherDies() async throws {
        let database = try PostgresTestDatabase.make()
        defer { database.drop() }
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let data = fixture.folder.appendingPathComponent("shared").path
        let url = try #require(PostgresTestDatabase.server.flatMap { URLComponents(string: $0) })
        var components = url
        components.path = "/" + (database.location.database)
        let databaseURL = try #require(components.string)
        let arguments = ["--testrootorg", "--database", databaseURL]
        // The first start makes the folder's keys; the second replica reads them.
        let first = try ServerProcess(data: data, extraArguments: arguments)
        defer { first.stop() }
        let second = try ServerProcess(data: data, extraArguments: arguments)
        defer { second.stop() }
        #expect(first.startText.contains("catalogue: PostgreSQL"), "\(first.startText)")
        #expect(first.adminToken == second.adminToken)
        let one = SnapdClientTests.Store(fixture: fixture, server: first)
        let two = SnapdClientTests.Store(fixture: fixture, server: second)

        for arguments in [
            ["accounts", "create", "acme", "--id", "acme-brand", "--validation", "verified"],
            ["register", "hello-depot", "--publisher", "acme-brand"],
        ] {
            let result = try one.snapdepot(arguments)
            try #require(result.status == 0, "\(arguments): \(result.output)")
        }
        // Uploads through either replica number one sequence of revisions.
        for (store, version, channel) in [(one, "1.0", "stable"), (two, "1.1", "beta"), (one, "1.2", "edge")] {
            let snap = try fixture.packSnap("hello-depot", version: version, architectures: ["amd64"], payload: 4096)
            let result = try store.snapdepot(["upload", snap, "--release", channel])
            try #require(result.status == 0, "\(result.output)")
        }
        let listed = try two.snapdepot(["revisions", "hello-depot", "--json"])
        let revisions = (try? JSONSerialization.jsonObject(with: Data(listed.output.utf8))) as? [[String: Any]] ?? []
        #expect(revisions.compactMap { $0["revision"] as? Int }.sorted() == [1, 2, 3], "\(listed.output)")

        func download(_ store: SnapdClientTests.Store, _ channel: String, revision: Int) throws {
            let target = try makeTemporaryDirectory("replica-download")
            defer { try? FileManager.default.removeItem(at: target) }
            let result = try store.snap(
                ["download", "hello-depot", "--channel=\(channel)", "--target-directory", target.path], in: target)
            #expect(result.status == 0, "\(channel) from \(store.server.url): \(result.output)")
            #expect(
                FileManager.default.fileExists(
                    atPath: target.appendingPathComponent("hello-depot_\(revision).snap").path),
                "\(result.output)")
        }
        // snapd verifies what each replica serves: the declaration one signed, the revision the other did.
        try download(one, "beta", revision: 2)
        try download(two, "stable", revision: 1)
        try download(two, "edge", revision: 3)

        // A replica dies mid-work; the other goes on, and a release through it is served.
        first.stop(SIGKILL)
        let released = try two.snapdepot(["release", "hello-depot", "3", "stable"])
        #expect(released.status == 0, "\(released.output)")
        try download(two, "stable", revision: 3)

        // The folder and the catalogue are whole: every revision's blob is there with its bytes.
        let check = try two.snapdepot(["data", "check", "--data", data, "--database", databaseURL, "--json"])
        let report = (try? JSONSerialization.jsonObject(with: Data(check.output.utf8))) as? [String: Any] ?? [:]
        #expect(check.status == 0 && report["revisions"] as? Int == 3, "\(check.output)")
    }

    /// A database that cannot be reached or refuses the role stops `serve` at once, saying why.
    @Test func aCatalogueThatCannotBeReachedStopsServeWithTheReason() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let server = try #require(PostgresTestDatabase.server.flatMap { URLComponents(string: $0) })
        var wrongPassword = server
        wrongPassword.password = "not-the-password"
        for (url, reason) in [
            ("postgres://nobody@127.0.0.1:1/snapdepot", "Connection refused"),
            (wrongPassword.string ?? "", "password authentication failed"),
            ("mysql://127.0.0.1/snapdepot", "is not a PostgreSQL URL"),
        ] {
            // A serve that waited for the database instead of stopping is ended after a minute.
            let result = try ChildProcess.run(
                ServerProcess.binary.path,
                ["serve", "--ephemeral", "--listen", "127.0.0.1:0", "--key-bits", "2048", "--database", url],
                timeout: .seconds(60))
            #expect(!result.timedOut, "\(url): serve waited instead of stopping")
            #expect(result.status != 0 && result.output.contains(reason), "\(url): \(result.output)")
            #expect(!result.output.contains("not-the-password"), "a password is never printed")
        }
    }
}
