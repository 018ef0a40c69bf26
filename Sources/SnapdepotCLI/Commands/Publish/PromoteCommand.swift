import ArgumentParser
import Foundation
import StoreCore
import StoreProtocol

struct PromoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "promote",
        abstract:
            "Release what one channel holds into another, architecture by architecture, like `snapcraft promote`.",
        discussion: "A rollout under way in the source channel is not promoted: its completed release is.")

    @Argument(help: "Snap name.") var name: String
    @Option(help: "The channel whose revisions are promoted, e.g. edge or 2.0/candidate.") var fromChannel: String
    @Option(help: "The channel they are released into.") var toChannel: String
    @OptionGroup var brand: BrandStoreOption
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        struct Body: Encodable {
            let fromChannel: String
            let toChannel: String
            let store: String?
        }
        let status = try await StoreClient.fromEnvironment().post(
            "/admin/v1/snaps/\(name)/promotions",
            Body(fromChannel: fromChannel, toChannel: toChannel, store: brand.store), as: SnapStatus.self)
        try StatusCommand.show(status, json: json)
    }
}
