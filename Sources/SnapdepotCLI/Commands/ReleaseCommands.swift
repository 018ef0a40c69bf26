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
                    "→ \(progressive) at \(String(format: "%g", percentage))%\(row.progressivePaused == true ? " (paused)" : "")"
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
    }
}

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
