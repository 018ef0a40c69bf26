import Assertions
import Foundation
import StoreTestSupport
import TestSupport
import Testing

/// `snapdepot model create` and `model sign` against a running store: the workshop's model step,
/// with each mistake refused (non-zero exit) and explained before anything is signed.
@Suite struct ModelSignTests {
    @Test func signsTheSeedsModelOnlyWhenTheStoreCanServeIt() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let server = try ServerProcess(data: fixture.folder.appendingPathComponent("served").path)
        defer { server.stop() }
        let store = SnapdClientTests.Store(fixture: fixture, server: server)
        let keys = fixture.folder.appendingPathComponent("keys").path
        func run(_ arguments: [String]) throws -> CommandResult {
            try store.snapdepot(arguments)
        }
        for arguments in [
            ["brand", "create", "acme-brand", "--display-name", "ACME Devices"],
            ["register", "pi3", "--publisher", "acme-brand"],
            ["register", "pi2-kernel", "--publisher", "acme-brand"],
            ["register", "myawesomesnap", "--publisher", "acme-brand"],
            ["key", "create", "brand", "--bits", "2048", "--keys", keys],
        ] {
            let result = try run(arguments)
            try #require(result.status == 0, "\(arguments): \(result.output)")
        }
        let accounts = try run(["accounts", "list", "--json"]).output
        #expect(accounts.contains(#""validation" : "verified""#), "a brand is a verified account: \(accounts)")
        for (name, architecture) in [("pi3", "armhf"), ("pi2-kernel", "armhf"), ("myawesomesnap", "amd64")] {
            let snap = try fixture.packSnap(name, architectures: [architecture])
            let result = try run(["upload", snap, "--release", "stable"])
            try #require(result.status == 0, "\(result.output)")
        }
        let created = try run([
            "model", "create", "my-pi3", "--brand", "acme-brand", "--architecture", "armhf", "--gadget", "pi3",
            "--kernel", "pi2-kernel", "--required-snap", "myawesomesnap",
        ])
        try #require(created.status == 0, "\(created.output)")
        let headersFile = fixture.folder.appendingPathComponent("my-pi3.yaml")
        func sign(_ text: String, key: String = "brand") throws -> CommandResult {
            try Data(text.utf8).write(to: headersFile)
            return try run(["model", "sign", headersFile.path, "--key", key, "--keys", keys])
        }
        func refused(_ result: CommandResult, _ reason: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(result.status != 0, "\(result.output)", sourceLocation: sourceLocation)
            #expect(result.output.contains(reason), "\(result.output)", sourceLocation: sourceLocation)
            #expect(!result.output.contains("-----BEGIN"), sourceLocation: sourceLocation)
        }

        refused(try sign(created.output), "is not registered with the store")
        try #require(try run(["key", "register", "brand", "--account", "acme-brand", "--keys", keys]).status == 0)
        refused(try sign(created.output), "myawesomesnap (the model's required snap) has no revision for armhf")
        let other = created.output.replacingOccurrences(of: "[myawesomesnap]", with: "[mysecondawesomesnap]")
        refused(
            try sign(other), "mysecondawesomesnap (the model's required snap) has no released revision in the store")
        refused(try sign(created.output, key: "nokey"), "no key \"nokey\"")
        refused(
            try sign(
                created.output.replacingOccurrences(of: "authority-id: acme-brand", with: "authority-id: canonical")),
            "a brand signs its own models")
        refused(try sign(created.output.replacingOccurrences(of: "series: 16", with: "series: 18")), "set series: 16")
        refused(
            try sign(created.output.replacingOccurrences(of: "gadget: pi3\n", with: "")), "a core model needs a gadget")
        refused(
            try sign(created.output + "\nclassic: true\n"), "cannot specify a kernel with a non-extended classic model")

        let good = created.output.replacingOccurrences(of: "required-snaps: [myawesomesnap]\n", with: "")
        let signed = try sign(good)
        try #require(signed.status == 0, "\(signed.output)")
        let model = try Model(try Assertion.decode(signed.output))
        #expect(model.model == "my-pi3" && model.architecture == "armhf" && model.gadget?.name == "pi3")
        #expect(model.assertion.string("authority-id") == "acme-brand")
        let brandKey = try KeyStore(directory: URL(fileURLWithPath: keys)).load("brand")
        #expect(model.assertion.string("sign-key-sha3-384") == brandKey.id)
        #expect(throws: Never.self) {
            try brandKey.publicKey.verify(content: model.assertion.content, signature: model.assertion.signature)
        }

        // The UC20+ form: entries carry the store's snap ids, and say which it could not find.
        let unknown = try run([
            "model", "create", "x", "--brand", "acme-brand", "--architecture", "armhf", "--grade", "dangerous",
            "--required-snap", "mysecondawesomesnap",
        ])
        #expect(unknown.output.contains("note: mysecondawesomesnap is not in the store yet"), "\(unknown.output)")
        try #require(try run(["register", "core22", "--publisher", "acme-brand"]).status == 0)
        let extended = try run([
            "model", "create", "my-pi3-uc22", "--brand", "acme-brand", "--architecture", "armhf", "--gadget", "pi3",
            "--kernel", "pi2-kernel", "--base", "core22", "--grade", "signed",
        ])
        try #require(extended.status == 0, "\(extended.output)")
        #expect(!extended.output.contains("note:"), "\(extended.output)")
        let headers = extended.output
        refused(try sign(headers), "core22 (the model's base) has no released revision in the store")
        refused(try sign(headers + "\ngadget: pi3\n"), "this is the UC20+ form")
        let pi3ID = try #require(
            headers.firstMatch(of: /name: pi3\n.*\n.*\n    id: ([A-Za-z0-9]+)/)?.1, "\(headers)")
        refused(
            try sign(headers.replacingOccurrences(of: "    id: \(pi3ID)\n", with: "")), "snap pi3 in snaps has no id")
        let wrongID = String(repeating: "x", count: 32)
        refused(try sign(headers.replacingOccurrences(of: "id: \(pi3ID)", with: "id: \(wrongID)")), "set id: \(pi3ID)")
    }
}
