import Assertions
import Foundation
import SnapFiles
import TestSupport
import Testing

@testable import DeviceAgent

/// snapd's cross-check between a snap file, what the store said and the verified assertions: every
/// mismatch is refused with snapd's words, and nothing is installed on the store's word alone.
@Suite struct SnapCrossCheckTests {
    struct World {
        let folder: URL
        let snap: SnapFile
        let root: PrivateKey

        func sign(_ headers: Headers, body: String = "") throws -> Assertion {
            try AssertionSigner.sign(headers: headers, body: Array(body.utf8), key: root)
        }

        /// Roots, the publisher's account, the declaration and a revision with these headers.
        func database(revision: Headers = [:], declaration: Headers = [:]) throws -> TrustDatabase {
            let time = Timestamp.now().text
            let rootAccount = try sign([
                "type": "account", "authority-id": "root", "account-id": "root", "display-name": "Root",
                "validation": "verified", "timestamp": .string(time),
            ])
            let rootKey = try sign(
                [
                    "type": "account-key", "authority-id": "root", "account-id": "root", "name": "root",
                    "public-key-sha3-384": .string(root.id), "since": "2025-01-01T00:00:00Z",
                ], body: root.publicKey.encoded)
            var database = try TrustDatabase(trusted: [rootAccount, rootKey])
            try database.add(
                try sign([
                    "type": "account", "authority-id": "root", "account-id": "acme", "display-name": "ACME",
                    "validation": "verified", "timestamp": .string(time),
                ]))
            var declarationHeaders: Headers = [
                "type": "snap-declaration", "authority-id": "root", "series": "16", "snap-id": "helloid",
                "snap-name": "hello", "publisher-id": "acme", "timestamp": .string(time),
            ]
            declarationHeaders.merge(declaration) { _, new in new }
            try database.add(try sign(declarationHeaders))
            var revisionHeaders: Headers = [
                "type": "snap-revision", "authority-id": "root", "snap-sha3-384": .string(snap.sha3_384Base64URL),
                "snap-id": "helloid", "snap-size": .string(String(snap.size)), "snap-revision": "7",
                "developer-id": "acme", "timestamp": .string(time),
            ]
            revisionHeaders.merge(revision) { _, new in new }
            try database.add(try sign(revisionHeaders))
            return database
        }

        static func make() throws -> World {
            let folder = try makeTemporaryDirectory("crosscheck")
            let source = folder.appendingPathComponent("src")
            try FileManager.default.createDirectory(
                at: source.appendingPathComponent("meta"), withIntermediateDirectories: true)
            try Data("name: hello\nversion: '1.0'\nsummary: s\ndescription: d\n".utf8)
                .write(to: source.appendingPathComponent("meta/snap.yaml"))
            let path = folder.appendingPathComponent("hello_7.snap").path
            _ = try SnapPacker().pack(directory: source.path, output: path)
            return World(folder: folder, snap: try SnapFile.open(path: path), root: try PrivateKey.generate(bits: 1024))
        }
    }

    func refusal(_ world: World, _ database: TrustDatabase, revision: Int = 7, publisher: String? = "acme") -> String? {
        do {
            try SnapCrossCheck.check(
                file: world.snap, name: "hello", snapID: "helloid", revision: revision, publisherID: publisher,
                in: database)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aMatchingSnapPasses() throws {
        let world = try World.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        #expect(refusal(world, try world.database()) == nil)
    }

    @Test func everyMismatchIsRefusedWithSnapdsWords() throws {
        let world = try World.make()
        defer { try? FileManager.default.removeItem(at: world.folder) }
        let size = refusal(world, try world.database(revision: ["snap-size": "12"]))
        #expect(size?.contains("does not have expected size according to signatures") == true, "\(size ?? "")")
        let number = refusal(world, try world.database(), revision: 8)
        #expect(number?.contains("does not have expected ID or revision") == true, "\(number ?? "")")
        let renamed = refusal(world, try world.database(declaration: ["snap-name": "hello-renamed"]))
        #expect(renamed?.contains("is undergoing a rename to \"hello-renamed\"") == true, "\(renamed ?? "")")
        let publisher = refusal(world, try world.database(), publisher: "mallory")
        #expect(publisher?.contains("published by \"acme\" but the store said \"mallory\"") == true)
        let unsigned = refusal(
            world, try world.database(revision: ["snap-sha3-384": .string(String(repeating: "A", count: 64))]))
        #expect(unsigned?.contains("no matching signatures found") == true, "\(unsigned ?? "")")
    }
}
