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
    @Option(help: "Only this device group's devices get it (`groups add`); the rest keep following the channel.")
    var to: String?
    @Option(
        help: ArgumentHelp(
            "Halt the rollout by itself when failures of the new revision reach this share of the devices that "
                + "tried it (5%) or this many devices (3).", valueName: "share%|count")) var haltAt: String?
    @Option(help: "Devices that must try it before --halt-at can trip (default 10 for a share, 1 for a count).")
    var minAttempts: Int?
    @OptionGroup var brand: BrandStoreOption
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let status = try await StoreClient.fromEnvironment().post(
            "/admin/v1/snaps/\(name)/releases",
            ReleaseRequest(
                revision: revision, channels: channels, progressive: progressive, store: brand.store, to: to,
                haltAt: haltAt, minAttempts: minAttempts),
            as: SnapStatus.self)
        try StatusCommand.show(status, json: json)
    }
}
