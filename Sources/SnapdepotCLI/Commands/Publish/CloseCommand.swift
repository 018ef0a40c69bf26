import ArgumentParser
import Foundation
import StoreCore
import StoreProtocol

struct CloseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "close", abstract: "Close channels; devices then follow the next safer risk.")

    @Argument(help: "Snap name.") var name: String
    @Argument(help: "Channels to close.") var channels: [String]
    @OptionGroup var brand: BrandStoreOption
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        struct Body: Encodable {
            let channels: [String]
            let store: String?
        }
        let status = try await StoreClient.fromEnvironment().post(
            "/admin/v1/snaps/\(name)/close", Body(channels: channels, store: brand.store), as: SnapStatus.self)
        try StatusCommand.show(status, json: json)
    }
}
