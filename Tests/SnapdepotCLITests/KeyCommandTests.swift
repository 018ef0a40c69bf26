import Assertions
import Foundation
import Testing

@Suite struct KeyCommandTests {
    @Test func createdKeysAreOwnerOnlyAndListed() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let created = try cli.run(["key", "create", "brand-key", "--bits", "2048", "--json"])
        #expect(created.status == 0, "\(created.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: cli.keys + "/brand-key.pem")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let folder = try FileManager.default.attributesOfItem(atPath: cli.keys)
        #expect((folder[.posixPermissions] as? Int) == 0o700)

        struct Listing: Decodable, Equatable {
            let name: String
            let id: String
            let bits: Int
        }
        let createdKey = try JSONDecoder().decode(Listing.self, from: Data(created.stdout.utf8))
        let list = try cli.run(["key", "list", "--json"])
        #expect(try JSONDecoder().decode([Listing].self, from: Data(list.stdout.utf8)) == [createdKey])
        let human = try cli.run(["key", "list"])
        #expect(human.stdout.contains("brand-key  2048  \(createdKey.id)"))

        let exported = try cli.run(["key", "export", "brand-key"])
        #expect(
            try PublicKey(encoded: exported.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).id == createdKey.id)
        #expect(!exported.stdout.contains("PRIVATE"))
        let secret = try cli.run(["key", "export", "brand-key", "--private"])
        #expect(secret.stdout.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(secret.stderr.contains("warning"))
    }

    @Test func mistakesExitNonZeroWithOneLineReasons() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.run(["key", "create", "one", "--bits", "1024"])
        let duplicate = try cli.run(["key", "create", "one", "--bits", "1024"])
        #expect(duplicate.status != 0)
        #expect(duplicate.stderr.contains("a key named \"one\" already exists"))
        let badName = try cli.run(["key", "create", "Bad_Name"])
        #expect(badName.status != 0)
        #expect(badName.stderr.contains("invalid key name"))
        let missing = try cli.run(["key", "export", "nope"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("no key named \"nope\""))
        let garbage = try cli.run(["key", "import", "junk", "-"], input: "not a key")
        #expect(garbage.status != 0)
        #expect(!FileManager.default.fileExists(atPath: cli.keys + "/junk.pem"))
    }

    @Test func importsPEMKeys() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let key = try PrivateKey.generate(bits: 2048)
        let imported = try cli.run(["key", "import", "imported", "-"], input: try key.pem())
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains(key.id))
        let again = try cli.run(["key", "import", "again", "-"], input: try key.pem())
        #expect(again.status != 0)
        #expect(again.stderr.contains("already stored as \"imported\""))
    }
}
