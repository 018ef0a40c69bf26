import Assertions
import Foundation
import StoreCore

/// snapd's test root authority (`testrootorg`), read at run time from the snapd source Debian
/// installs (golang-github-snapcore-snapd-dev). Its private keys are public in that source; a
/// store signing with them is trusted by snapd builds made with the `withtestkeys` tag.
enum SnapdTestKeys {
    static var source: URL {
        URL(
            fileURLWithPath: ProcessInfo.processInfo.environment["SNAPD_SOURCE"]
                ?? "/usr/share/gocode/src/github.com/snapcore/snapd"
        )
        .appendingPathComponent("asserts/systestkeys/trusted.go")
    }

    static func constant(_ name: String) throws -> String {
        guard let text = try? String(contentsOf: source, encoding: .utf8) else {
            throw CLIError("cannot read \(source.path): install golang-github-snapcore-snapd-dev or set SNAPD_SOURCE")
        }
        guard let start = text.range(of: "\(name) = `"), let end = text[start.upperBound...].firstIndex(of: "`") else {
            throw CLIError("\(name) is not in \(source.path)")
        }
        return String(text[start.upperBound..<end])
    }

    static func rootKey() throws -> PrivateKey {
        try PrivateKey(importing: try constant("TestRootPrivKey"))
    }

    static func identity() throws -> StoreIdentity {
        try StoreIdentity(
            authorityID: "testrootorg", storeKey: try PrivateKey(importing: try constant("TestStorePrivKey")),
            trusted: [
                try Assertion.decode(try constant("encodedTestRootAccount")),
                try Assertion.decode(try constant("encodedTestRootAccountKey")),
            ],
            storeAccountKey: try Assertion.decode(try constant("encodedTestStoreAccountKey")))
    }
}
