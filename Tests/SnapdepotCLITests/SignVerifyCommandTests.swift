import Assertions
import Foundation
import Testing

@Suite struct SignVerifyCommandTests {
    /// Sets up a root and a brand with the CLI alone, as the README's workshop does.
    private func makeRootAndBrand(_ cli: CLIRunner) throws -> (root: String, brand: String) {
        let root = try cli.run(["key", "create", "root", "--bits", "2048", "--json"])
        let brand = try cli.run(["key", "create", "brand", "--bits", "2048", "--json"])
        struct Listing: Decodable { let id: String }
        let rootID = try JSONDecoder().decode(Listing.self, from: Data(root.stdout.utf8)).id
        let brandID = try JSONDecoder().decode(Listing.self, from: Data(brand.stdout.utf8)).id
        let rootPublic = try cli.run(["key", "export", "root"]).stdout
        let brandPublic = try cli.run(["key", "export", "brand"]).stdout
        try cli.write(
            "root-account.yaml",
            """
            type: account
            authority-id: lab-root
            account-id: lab-root
            display-name: Lab Root
            validation: verified
            timestamp: 2026-01-01T00:00:00Z
            """)
        try cli.write(
            "root-key.json",
            """
            {"type": "account-key", "authority-id": "lab-root", "account-id": "lab-root", "name": "root",
             "public-key-sha3-384": "\(rootID)", "since": "2026-01-01T00:00:00Z",
             "body": \(String(decoding: try JSONEncoder().encode(rootPublic.trimmingCharacters(in: .newlines)), as: UTF8.self))}
            """)
        try cli.write(
            "brand-account.json",
            """
            {"type": "account", "authority-id": "lab-root", "account-id": "acme-brand", "display-name": "ACME",
             "validation": "verified", "timestamp": "2026-01-01T00:00:00Z"}
            """)
        try cli.write(
            "brand-key.json",
            """
            {"type": "account-key", "authority-id": "lab-root", "account-id": "acme-brand", "name": "models",
             "public-key-sha3-384": "\(brandID)", "since": "2026-01-01T00:00:00Z",
             "body": \(String(decoding: try JSONEncoder().encode(brandPublic.trimmingCharacters(in: .newlines)), as: UTF8.self))}
            """)
        try cli.write(
            "model.yaml",
            """
            type: model
            authority-id: acme-brand
            brand-id: acme-brand
            series: 16
            model: my-pi3
            architecture: armhf
            gadget: pi3
            kernel: pi2-kernel
            required-snaps: [myawesomesnap, mysecondawesomesnap]
            timestamp: 2026-02-01T00:00:00Z
            """)
        var trusted = ""
        var stream = ""
        for (file, key) in [("root-account.yaml", "root"), ("root-key.json", "root")] {
            let signed = try cli.run(["sign", "--key=\(key)", file])
            #expect(signed.status == 0, "\(signed.stderr)")
            trusted += (trusted.isEmpty ? "" : "\n") + signed.stdout
        }
        for (file, key) in [("brand-account.json", "root"), ("brand-key.json", rootID), ("model.yaml", "brand")] {
            let signed = try cli.run(["sign", "--key=\(key)", "--time", "2026-02-01T00:00:00Z", file])
            #expect(signed.status == 0, "\(signed.stderr)")
            stream += (stream.isEmpty ? "" : "\n") + signed.stdout
        }
        try cli.write("trusted.assert", trusted)
        try cli.write("stream.assert", stream)
        return (rootID, brandID)
    }

    @Test func signsAndVerifiesTheModelChain() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        _ = try makeRootAndBrand(cli)
        let verified = try cli.run(["verify", "--trusted", "trusted.assert", "stream.assert"])
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(verified.stdout.contains("ok    model (my-pi3; series:16 brand-id:acme-brand)"))
        #expect(verified.stdout.contains("3 accepted, 0 refused"))
        let model = try AssertionStream.decode(try cli.read("stream.assert")).last
        #expect(model?.string("series") == "16")
        #expect(model?.signingTime == Timestamp.parse("2026-02-01T00:00:00Z"))
    }

    @Test func refusedAssertionsFailTheCommand() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        _ = try makeRootAndBrand(cli)
        let tampered = try cli.read("stream.assert").replacingOccurrences(of: "model: my-pi3", with: "model: my-pi4")
        try cli.write("tampered.assert", tampered)
        let verified = try cli.run(["verify", "--trusted", "trusted.assert", "--json", "tampered.assert"])
        #expect(verified.status == 1)
        struct Verdict: Decodable {
            let reference: String
            let accepted: Bool
            let reason: String?
        }
        let verdicts = try JSONDecoder().decode([Verdict].self, from: Data(verified.stdout.utf8))
        #expect(verdicts.map(\.accepted) == [true, true, false])
        #expect(verdicts.last?.reason?.contains("failed signature verification") == true)
        // With info logs, the refusal's line: below warning it waits for a batch, which the
        // command's exit must write rather than lose.
        let logged = try cli.run(
            ["verify", "--trusted", "trusted.assert", "tampered.assert"], environment: ["SNAPDEPOT_LOG_LEVEL": "info"])
        #expect(
            logged.stderr.contains(
                " info snapdepot.verify: assertion=model (my-pi4; series:16 brand-id:acme-brand) reason="))
        #expect(
            logged.stderr.contains("failed signature verification") && logged.stderr.contains("[SnapdepotCLI] refused"))

        let withoutRoot = try cli.run(["verify", "--trusted", "stream.assert", "stream.assert"])
        #expect(withoutRoot.status != 0)
    }

    @Test func badHeaderInputIsExplained() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        try cli.run(["key", "create", "k", "--bits", "1024"])
        let noType = try cli.run(["sign", "-k", "k"], input: "authority-id: x\n")
        #expect(noType.status != 0)
        #expect(noType.stderr.contains("missing assertion type header"))
        let notAMap = try cli.run(["sign", "-k", "k"], input: "- a\n- b\n")
        #expect(notAMap.stderr.contains("must be a map"))
        let null = try cli.run(["sign", "-k", "k"], input: "type: model\nauthority-id:\n")
        #expect(null.stderr.contains("\"authority-id\" has no value"))
        let badModel = try cli.run(
            ["sign", "-k", "k"],
            input: "type: model\nauthority-id: a\nbrand-id: a\nseries: 16\nmodel: m\ntimestamp: 2026-01-01T00:00:00Z\n")
        #expect(badModel.status != 0)
        #expect(badModel.stderr.contains("\"architecture\" header is mandatory"))
    }

    @Test func demoSignsAndVerifiesTheSeedModel() throws {
        let cli = try CLIRunner()
        defer { cli.cleanUp() }
        let demo = try cli.run(["demo", "model-chain", "--bits", "2048", "--directory", "demo"])
        #expect(demo.status == 0, "\(demo.stderr)")
        #expect(demo.stdout.contains("verified         model (my-pi3; series:16 brand-id:acme-brand)"))
        let verified = try cli.run([
            "verify", "--trusted", "demo/root.assert", "demo/brand.assert", "demo/my-pi3.model",
        ])
        #expect(verified.status == 0, "\(verified.stdout)")
        let again = try cli.run(["demo", "model-chain", "--bits", "2048", "--directory", "demo", "--json"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("\"verified\""))
    }
}
