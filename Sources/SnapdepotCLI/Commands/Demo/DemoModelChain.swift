import ArgumentParser
import Assertions
import Foundation

/// The production model's trust chain, offline and without a store: a root, a brand with a key
/// the root signed, and the seed's `my-pi3` model signed by the brand and verified against the root.
struct DemoModelChain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model-chain",
        abstract: "Offline, without a store: create a root and a brand, sign the seed's my-pi3 model and verify it."
    )

    @Option(help: "Folder for the demo's keys and assertions.") var directory: String = "snapdepot-demo"
    @Option(help: "Key size in bits; snapd uses 4096.") var bits: Int = 4096
    @Flag(help: "Print machine-readable JSON.") var json = false

    struct Summary: Encodable {
        let directory: String
        let rootKey: String
        let brandKey: String
        let files: [String]
        let verified: [String]
    }

    func run() throws {
        let folder = URL(fileURLWithPath: directory)
        let store = KeyStore(directory: folder.appendingPathComponent("keys"))
        let now = Timestamp.now()
        let rootKey = try key("store-root", in: store)
        let brandKey = try key("acme-models", in: store)

        let root = try AssertionSigner.sign(
            headers: [
                "type": "account", "authority-id": "demo-root", "account-id": "demo-root",
                "display-name": "snapdepot demo root", "validation": "verified", "timestamp": .string(now.text),
            ], key: rootKey, signingTime: now)
        let rootKeyAssertion = try accountKey(for: "demo-root", name: "root", key: rootKey, signer: rootKey, now: now)
        let brand = try AssertionSigner.sign(
            headers: [
                "type": "account", "authority-id": "demo-root", "account-id": "acme-brand", "username": "acme",
                "display-name": "ACME Devices", "validation": "verified", "timestamp": .string(now.text),
            ], key: rootKey, signingTime: now)
        let brandKeyAssertion = try accountKey(
            for: "acme-brand", name: "acme-models", key: brandKey, signer: rootKey, now: now)
        let model = try AssertionSigner.sign(
            headers: [
                "type": "model", "authority-id": "acme-brand", "brand-id": "acme-brand", "series": "16",
                "model": "my-pi3", "architecture": "armhf", "gadget": "pi3", "kernel": "pi2-kernel",
                "required-snaps": ["myawesomesnap", "mysecondawesomesnap"], "timestamp": .string(now.text),
            ], key: brandKey, signingTime: now)

        let files: [(String, [Assertion])] = [
            ("root.assert", [root, rootKeyAssertion]),
            ("brand.assert", [brand, brandKeyAssertion]),
            ("my-pi3.model", [model]),
        ]
        for (name, assertions) in files {
            try Data(AssertionStream.encode(assertions)).write(to: folder.appendingPathComponent(name))
        }

        var database = try TrustDatabase(trusted: [root, rootKeyAssertion])
        let checked = [brand, brandKeyAssertion, model]
        let refused = database.addAll(checked)
        if let failure = refused.first {
            throw CLIError("verification failed: \(failure.assertion): \(failure.error)")
        }
        let summary = Summary(
            directory: folder.path, rootKey: rootKey.id, brandKey: brandKey.id, files: files.map(\.0),
            verified: checked.map(\.reference.description))
        if json {
            try JSONOutput.print(summary)
            return
        }
        print("store root key   \(rootKey.id)")
        print("brand key        \(brandKey.id)")
        for (name, _) in files { print("wrote            \(folder.appendingPathComponent(name).path)") }
        for line in summary.verified { print("verified         \(line)") }
        print("")
        print(model.encodedText, terminator: "")
    }

    private func key(_ name: String, in store: KeyStore) throws -> PrivateKey {
        if store.contains(name) { return try store.load(name) }
        if !json { FileHandle.standardError.write(Data("generating \(bits)-bit key \"\(name)\"…\n".utf8)) }
        let key = try PrivateKey.generate(bits: bits)
        try store.save(key, as: name)
        return key
    }

    private func accountKey(for account: String, name: String, key: PrivateKey, signer: PrivateKey, now: Timestamp)
        throws -> Assertion
    {
        try AssertionSigner.sign(
            headers: [
                "type": "account-key", "authority-id": "demo-root", "account-id": .string(account),
                "name": .string(name), "public-key-sha3-384": .string(key.id), "since": .string(now.text),
            ], body: Array(key.publicKey.encoded.utf8), key: signer, signingTime: now)
    }
}
