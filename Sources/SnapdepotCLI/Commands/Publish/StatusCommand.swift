import ArgumentParser
import Foundation
import StoreCore
import StoreProtocol

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show a snap's channel map, like `snapcraft status`.")

    @Argument(help: "Snap name.") var name: String
    @OptionGroup var brand: BrandStoreOption
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() async throws {
        let status = try await StoreClient.fromEnvironment().get(
            "/admin/v1/snaps/\(name)/status", query: brand.store.map { ["store": $0] } ?? [:], as: SnapStatus.self)
        try Self.show(status, json: json)
    }

    /// `↑` marks a channel that follows the next safer risk, `-` one with nothing to follow.
    static func show(_ status: SnapStatus, json: Bool) throws {
        if json { return try JSONOutput.print(status) }
        var rows: [[String]] = []
        for row in status.rows {
            let revision = row.revision.map(String.init) ?? (row.following ? "↑" : "-")
            var progress = ""
            if let progressive = row.progressiveRevision, let percentage = row.progressivePercentage {
                progress =
                    "→ \(progressive) at \(String(format: "%g", percentage))%"
                    + (row.progressiveGroup.map { " of \($0)" } ?? "")
                    + (row.progressiveHalt != nil ? " (halted)" : row.progressivePaused == true ? " (paused)" : "")
            }
            rows.append([
                row.track, row.architecture, row.risk, row.version ?? (row.following ? "↑" : "-"), revision, progress,
            ])
        }
        for branch in status.branches {
            rows.append([
                branch.channel.track, branch.architecture, "\(branch.channel.risk.rawValue)/\(branch.channel.branch)",
                "", String(branch.revision), "",
            ])
        }
        print("\(status.name) (snap-id \(status.snapID), default track \(status.defaultTrack))")
        print(Table.render(["Track", "Arch", "Channel", "Version", "Revision", "Progressive"], rows))
        for rollout in status.rollouts where rollout.halt != nil {
            print("rollout of \(rollout.revision) in \(rollout.channel) halted: \(rollout.halt?.reason ?? "")")
        }
    }
}
