import ArgumentParser
import Assertions
import DepotCrypto
import Foundation
import SnapdepotCLI

/// Throughput figures for the crypto every store request leans on, printed beside OpenSSL's own
/// command-line tools measured in the same run on the same machine.
@main
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapdepot-bench",
        abstract: "Measure snapdepot: crypto, snap files, the store, the device API and the vault, with figures.",
        subcommands: [
            CryptoBench.self, SnapBench.self, StoreBench.self, DeviceBench.self, VaultBench.self, AgentBench.self,
            FleetBench.self,
        ],
        defaultSubcommand: CryptoBench.self
    )
}

struct CryptoBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crypto",
        abstract: "Measure RSA-4096 sign/verify and SHA3-384 throughput beside the openssl CLI."
    )

    @Option(help: "Seconds per RSA measurement.") var seconds: Double = 3
    @Option(name: .customLong("size-mib"), help: "Size of the file hashed with SHA3-384, in MiB.") var sizeMiB: Int =
        100
    @Flag(help: "Print machine-readable JSON.") var json = false

    struct Figures: Encodable {
        var rsa4096SignPerSecond: Double
        var rsa4096VerifyPerSecond: Double
        var assertionSignPerSecond: Double
        var sha3_384MiBPerSecond: Double
        var opensslRSA4096SignPerSecond: Double?
        var opensslRSA4096VerifyPerSecond: Double?
        var opensslSHA3_384MiBPerSecond: Double?
    }

    func run() throws {
        guard seconds > 0, sizeMiB > 0 else { throw CLIError("--seconds and --size-mib must be positive") }
        BenchSupport.progress(json, "generating an RSA-4096 key…")
        let key = try PrivateKey.generate(bits: 4096)
        let message = [UInt8](repeating: 0x5a, count: 1024)
        let digest = Digest.sha512(message)

        BenchSupport.progress(json, "RSA-4096 sign for \(seconds) s…")
        let signRate = try BenchSupport.rate(seconds) {
            _ = try key.rsa.signature(forDigest: digest, algorithm: .sha512)
        }
        let signature = try key.rsa.signature(forDigest: digest, algorithm: .sha512)
        BenchSupport.progress(json, "RSA-4096 verify for \(seconds) s…")
        let verifyRate = try BenchSupport.rate(seconds) {
            guard key.publicKey.rsa.isValidSignature(signature, digest: digest, algorithm: .sha512) else {
                throw CLIError("a signature failed to verify during the benchmark")
            }
        }
        BenchSupport.progress(json, "assertion signing for \(seconds) s…")
        let headers: Headers = [
            "type": "account", "authority-id": "bench", "account-id": "bench", "display-name": "Bench",
            "validation": "verified", "timestamp": "2026-01-01T00:00:00Z",
        ]
        let assertionRate = try BenchSupport.rate(seconds) { _ = try AssertionSigner.sign(headers: headers, key: key) }

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("snapdepot-bench-\(getpid()).bin")
        defer { try? FileManager.default.removeItem(at: file) }
        BenchSupport.progress(json, "writing a \(sizeMiB) MiB file…")
        try BenchSupport.writeRandomFile(file, mebibytes: sizeMiB)
        BenchSupport.progress(json, "SHA3-384 of \(sizeMiB) MiB…")
        let start = Date()
        _ = try Digest.ofFile(at: file.path, .sha3_384)
        let sha3Rate = Double(sizeMiB) / Date().timeIntervalSince(start)

        var figures = Figures(
            rsa4096SignPerSecond: signRate, rsa4096VerifyPerSecond: verifyRate,
            assertionSignPerSecond: assertionRate, sha3_384MiBPerSecond: sha3Rate)
        BenchSupport.progress(json, "openssl speed rsa4096…")
        if let (sign, verify) = opensslSpeed() {
            figures.opensslRSA4096SignPerSecond = sign
            figures.opensslRSA4096VerifyPerSecond = verify
        }
        BenchSupport.progress(json, "openssl dgst -sha3-384…")
        let opensslStart = Date()
        if BenchSupport.run(["openssl", "dgst", "-sha3-384", file.path]) != nil {
            figures.opensslSHA3_384MiBPerSecond = Double(sizeMiB) / Date().timeIntervalSince(opensslStart)
        }

        if json {
            try JSONOutput.print(figures)
            return
        }
        BenchSupport.header()
        BenchSupport.row("RSA-4096 sign", signRate, figures.opensslRSA4096SignPerSecond, "ops/s")
        BenchSupport.row("RSA-4096 verify", verifyRate, figures.opensslRSA4096VerifyPerSecond, "ops/s")
        BenchSupport.row("assertion sign (account)", assertionRate, nil, "ops/s")
        BenchSupport.row("SHA3-384 of \(sizeMiB) MiB file", sha3Rate, figures.opensslSHA3_384MiBPerSecond, "MiB/s")
    }

    /// Parses `openssl speed`'s summary line: `rsa 4096 bits 0.004165s 0.000064s 240.1 15625.0`.
    private func opensslSpeed() -> (Double, Double)? {
        let seconds = String(max(1, Int(self.seconds.rounded())))
        guard let output = BenchSupport.run(["openssl", "speed", "-seconds", seconds, "rsa4096"]) else {
            return nil
        }
        for line in output.split(separator: "\n") where line.hasPrefix("rsa 4096 bits") {
            let fields = line.split(separator: " ")
            if fields.count >= 7, let sign = Double(fields[5]), let verify = Double(fields[6]) {
                return (sign, verify)
            }
        }
        return nil
    }

}
