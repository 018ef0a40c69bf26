import ArgumentParser
import Foundation
import StoreCore
import StoreProtocol

struct ReleaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release", abstract: "Release a revision to channels, optionally progressively.")

    @Argument(help: "Snap name.") var name: String
    @Argument(help: "Revision.") var revision: Int
    @Argument(help: "Channels: edge, 2.0/candidate, stable/hotfix …") var channels: [String]
    @Option(help: "Share of devices (0–100) that get it; the rest keep the current revision.") var progressive: Double?
    @OptionGroup var brand: BrandStoreOption
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        struct Body: Encodable {
            let revision: Int
            let channels: [String]
            let progressive: Double?
            let store: String?
        }
        let status = try await StoreClient.fromEnvironment().post(
            "/admin/v1/snaps/\(name)/releases",
            Body(revision: revision, channels: channels, progressive: progressive, store: brand.store),
            as: SnapStatus.self)
        try StatusCommand.show(status, json: json)
    }
}
