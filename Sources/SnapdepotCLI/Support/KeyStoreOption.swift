import ArgumentParser
import Assertions
import Foundation

/// `--keys DIR`, shared by every command that reads or writes private keys.
struct KeyStoreOption: ParsableArguments {
    @Option(name: .customLong("keys"), help: "Key folder (default: $SNAPDEPOT_KEYS or ~/.local/share/snapdepot/keys).")
    var directory: String?

    var store: KeyStore {
        KeyStore(directory: directory.map { URL(fileURLWithPath: $0) } ?? KeyStore.defaultDirectory())
    }
}
