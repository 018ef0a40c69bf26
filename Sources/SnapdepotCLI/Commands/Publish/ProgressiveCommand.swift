import ArgumentParser
import Foundation
import StoreCore
import StoreProtocol

struct ProgressiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "progressive", abstract: "Change, pause or resume a progressive release; 100 completes it.")

    @Argument(help: "Snap name.") var name: String
    @Argument(help: "Channel.") var channel: String
    @Option(help: "New percentage.") var percentage: Double?
    @Flag(inversion: .prefixedNo, help: "Pause or resume the rollout.") var pause: Bool?
    @OptionGroup var brand: BrandStoreOption
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        struct Body: Encodable {
            let channel: String
            let percentage: Double?
            let paused: Bool?
            let store: String?
        }
        let status = try await StoreClient.fromEnvironment().post(
            "/admin/v1/snaps/\(name)/progressive",
            Body(channel: channel, percentage: percentage, paused: pause, store: brand.store), as: SnapStatus.self)
        try StatusCommand.show(status, json: json)
    }
}
