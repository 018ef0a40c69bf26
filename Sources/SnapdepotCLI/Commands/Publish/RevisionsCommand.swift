import ArgumentParser
import Foundation
import StoreCore
import StoreProtocol

struct RevisionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revisions", abstract: "List a snap's revisions.")

    @Argument(help: "Snap name.") var name: String
    @OptionGroup var brand: BrandStoreOption
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let revisions = try await StoreClient.fromEnvironment().get(
            "/admin/v1/snaps/\(name)/revisions", query: brand.store.map { ["store": $0] } ?? [:],
            as: [RevisionRecord].self)
        if json { return try JSONOutput.print(revisions) }
        print(
            Table.render(
                ["Rev", "Version", "Arches", "Type", "Size", "SHA3-384"],
                revisions.map {
                    [
                        String($0.revision), $0.version, $0.architectures.joined(separator: ","), $0.type,
                        String($0.size), String($0.sha3_384.prefix(16)) + "…",
                    ]
                }))
    }
}
