import ArgumentParser
import Foundation
import StoreCore
import StoreProtocol

struct TracksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tracks", abstract: "Add tracks to a snap or set its default track.")

    @Argument(help: "Snap name.") var name: String
    @Option(help: "Tracks to add.") var add: [String] = []
    @Option(help: "The track requests without one get.") var defaultTrack: String?
    @OptionGroup var brand: BrandStoreOption
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        struct Body: Encodable {
            let add: [String]
            let defaultTrack: String?
            let store: String?
        }
        let status = try await StoreClient.fromEnvironment().post(
            "/admin/v1/snaps/\(name)/tracks", Body(add: add, defaultTrack: defaultTrack, store: brand.store),
            as: SnapStatus.self)
        try StatusCommand.show(status, json: json)
    }
}
