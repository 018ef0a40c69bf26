import ArgumentParser
import Assertions
import Foundation
import StoreCore

struct RegisterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register", abstract: "Register a snap name; the store signs its snap-declaration.")

    @Argument(help: "Snap name.") var name: String
    @Option(help: "Publisher account id (admin token only; a publisher registers for itself).") var publisher: String?
    @Flag(help: "Keep the snap out of search results for other accounts.") var `private` = false
    @OptionGroup var brand: BrandStoreOption
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        struct Body: Encodable {
            let name: String
            let publisher: String?
            let store: String?
            let isPrivate: Bool
        }
        let snap = try await StoreClient.fromEnvironment().post(
            "/admin/v1/snaps", Body(name: name, publisher: publisher, store: brand.store, isPrivate: `private`),
            as: SnapRecord.self)
        if json { try JSONOutput.print(snap) } else { print("registered \(snap.name): snap-id \(snap.snapID)") }
    }
}
