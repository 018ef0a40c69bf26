import ArgumentParser
import Assertions
import Foundation
import StoreCore

/// `--store ID` for names that live in a brand store.
struct BrandStoreOption: ParsableArguments {
    @Option(help: "Brand store the name lives in.") var store: String?
}
