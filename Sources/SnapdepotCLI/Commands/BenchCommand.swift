import ArgumentParser
import Assertions
import DepotCrypto
import Foundation

/// Throughput figures for the crypto every store request leans on, printed beside OpenSSL's own
/// command-line tools measured in the same run on the same machine.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure RSA-4096 sign/verify and SHA3-384 throughput beside the openssl CLI."
    )

    @Option(help: "Seconds per RSA measurement.") var seconds: Double = 3
    @Option(help: "Size of the file hashed with SHA3-384, in MiB.") var sizeMiB: Int = 100
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
        progress("generating an RSA-4096 key…")
        let key = try PrivateKey.generate(bits: 4096)
        let message = [UInt8](repeating: 0x5a, count: 1024)
        let digest = Digest.sha512(message)

        progress("RSA-4096 sign for \(seconds) s…")
        let signRate = try rate { _ = try key.rsa.signature(forDigest: digest, algorithm: .sha512) }
        let signature = try key.rsa.signature(forDigest: digest, algorithm: .sha512)
        progress("RSA-4096 verify for \(seconds) s…")
        let verifyRate = try rate {
            guard key.publicKey.rsa.isValidSignature(signature, digest: digest, algorithm: .sha512) else {
                throw CLIError("a signature failed to verify during the benchmark")
            }
        }
        progress("assertion signing for \(seconds) s…")
        let headers: Headers = [
            "type": "account", "authority-id": "bench", "account-id": "bench", "display-name": "Bench",
            "validation": "verified", "timestamp": "2026-01-01T00:00:00Z",
        ]
        let assertionRate = try rate { _ = try AssertionSigner.sign(headers: headers, key: key) }

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("snapdepot-bench-\(getpid()).bin")
        defer { try? FileManager.default.removeItem(at: file) }
        progress("writing a \(sizeMiB) MiB file…")
        try writeRandomFile(file, mebibytes: sizeMiB)
        progress("SHA3-384 of \(sizeMiB) MiB…")
        let start = Date()
        _ = try Digest.ofFile(at: file.path, .sha3_384)
        let sha3Rate = Double(sizeMiB) / Date().timeIntervalSince(start)

        var figures = Figures(
            rsa4096SignPerSecond: signRate, rsa4096VerifyPerSecond: verifyRate,
            assertionSignPerSecond: assertionRate, sha3_384MiBPerSecond: sha3Rate)
        progress("openssl speed rsa4096…")
        if let (sign, verify) = opensslSpeed() {
            figures.opensslRSA4096SignPerSecond = sign
            figures.opensslRSA4096VerifyPerSecond = verify
        }
        progress("openssl dgst -sha3-384…")
        let opensslStart = Date()
        if run("/usr/bin/env", ["openssl", "dgst", "-sha3-384", file.path]) != nil {
            figures.opensslSHA3_384MiBPerSecond = Double(sizeMiB) / Date().timeIntervalSince(opensslStart)
        }

        if json {
            try JSONOutput.print(figures)
            return
        }
        func row(_ name: String, _ ours: Double, _ theirs: Double?, _ unit: String) {
            let other = theirs.map { String(format: "%10.1f", $0) } ?? "       n/a"
            print(
                name.padding(toLength: 28, withPad: " ", startingAt: 0) + String(format: "%10.1f", ours) + other
                    + "  \(unit)")
        }
        print("measure".padding(toLength: 28, withPad: " ", startingAt: 0) + " snapdepot   openssl")
        row("RSA-4096 sign", signRate, figures.opensslRSA4096SignPerSecond, "ops/s")
        row("RSA-4096 verify", verifyRate, figures.opensslRSA4096VerifyPerSecond, "ops/s")
        row("assertion sign (account)", assertionRate, nil, "ops/s")
        row("SHA3-384 of \(sizeMiB) MiB file", sha3Rate, figures.opensslSHA3_384MiBPerSecond, "MiB/s")
    }

    private func progress(_ text: String) {
        if !json { FileHandle.standardError.write(Data("\(text)\n".utf8)) }
    }

    private func rate(_ operation: () throws -> Void) throws -> Double {
        let start = Date()
        var count = 0
        while Date().timeIntervalSince(start) < seconds {
            try operation()
            count += 1
        }
        return Double(count) / Date().timeIntervalSince(start)
    }

    private func writeRandomFile(_ url: URL, mebibytes: Int) throws {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CLIError("cannot create \(url.path)")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        var generator = SystemRandomNumberGenerator()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<mebibytes {
            for index in stride(from: 0, to: chunk.count, by: 8) {
                withUnsafeBytes(of: generator.next() as UInt64) { chunk.replaceSubrange(index..<index + 8, with: $0) }
            }
            try handle.write(contentsOf: chunk)
        }
    }

    /// Parses `openssl speed`'s summary line: `rsa 4096 bits 0.004165s 0.000064s 240.1 15625.0`.
    private func opensslSpeed() -> (Double, Double)? {
        let seconds = String(max(1, Int(self.seconds.rounded())))
        guard let output = run("/usr/bin/env", ["openssl", "speed", "-seconds", seconds, "rsa4096"]) else {
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

    private func run(_ executable: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
