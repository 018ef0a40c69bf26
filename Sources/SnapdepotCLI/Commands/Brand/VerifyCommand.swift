import ArgumentParser
import Assertions
import Foundation
import Logging

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a stream of assertions against trusted roots, as a snapd device would.",
        discussion: """
            Assertions may come in any order; each is checked once what it depends on is in. \
            Exits 1 if any is refused, printing why.
            """
    )

    @Option(help: "Stream of the trusted root account and account-key assertions.") var trusted: String
    @Option(help: "Check key validity at this RFC 3339 time instead of now.") var at: String?
    @Flag(help: "Print machine-readable JSON.") var json = false
    @Argument(help: "Assertion streams to check; standard input when none.") var files: [String] = []

    struct Verdict: Encodable {
        let type: String
        let reference: String
        let accepted: Bool
        let reason: String?
    }

    func run() throws {
        let roots = try AssertionStream.decode(try InputFile.read(trusted))
        var database = try TrustDatabase(trusted: roots)
        if let at {
            guard let time = Timestamp.parse(at) else { throw CLIError("--at is not an RFC 3339 time: \(at)") }
            database.now = time
        }
        var assertions: [Assertion] = []
        for file in files.isEmpty ? ["-"] : files {
            do {
                assertions += try AssertionStream.decode(try InputFile.read(file))
            } catch let error as AssertionError {
                throw CLIError("\(file == "-" ? "standard input" : file): \(error)")
            }
        }
        let logger = Logger(label: "snapdepot.verify")
        logger.debug("checking assertions", metadata: ["count": "\(assertions.count)", "roots": "\(roots.count)"])
        let refused = database.addAll(assertions)
        for failure in refused {
            logger.info("refused", metadata: ["assertion": "\(failure.assertion)", "reason": "\(failure.error)"])
        }
        let verdicts = assertions.map { assertion in
            let failure = refused.first { $0.assertion == assertion }?.error
            return Verdict(
                type: assertion.type.name, reference: assertion.reference.description, accepted: failure == nil,
                reason: failure?.message)
        }
        if json {
            try JSONOutput.print(verdicts)
        } else {
            for verdict in verdicts {
                print(
                    verdict.accepted
                        ? "ok    \(verdict.reference)" : "FAIL  \(verdict.reference): \(verdict.reason ?? "")")
            }
            print("\(verdicts.count - refused.count) accepted, \(refused.count) refused")
        }
        if !refused.isEmpty { throw ExitCode.failure }
    }
}
