import ArgumentParser
import Foundation
import StoreCore

/// What a release manager does with a rollout under way: look at it, let it go on after a halt,
/// give it to everyone, or take it back.
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Show, resume, complete or abort a snap's rollouts (progressive, targeted, health-gated).",
        subcommands: [Show.self, Resume.self, Complete.self, Abort.self]
    )

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each rollout: its share, group, health gate, halt, and the devices that tried and failed.")
        @Argument(help: "Snap name.") var name: String
        @OptionGroup var brand: BrandStoreOption
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let rollouts = try await StoreClient.fromEnvironment().get(
                "/admin/v1/snaps/\(name)/rollouts", query: brand.store.map { ["store": $0] } ?? [:],
                as: [SnapStore.RolloutView].self)
            if json { return try JSONOutput.print(rollouts) }
            guard !rollouts.isEmpty else { return print("no rollout of \(name) under way") }
            print(
                Table.render(
                    ["Channel", "Revision", "Share", "Group", "Gate", "Tried", "Failed", "State"],
                    rollouts.map {
                        [
                            $0.channel, String($0.revision), String(format: "%g%%", $0.percentage), $0.group ?? "-",
                            $0.gate?.description ?? "-", String($0.attempts), String($0.failures),
                            $0.halt != nil ? "halted" : $0.paused ? "paused" : "rolling",
                        ]
                    }))
            for rollout in rollouts {
                if let halt = rollout.halt { print("\(rollout.channel): halted: \(halt.reason)") }
            }
        }
    }

    struct Options: ParsableArguments {
        @Argument(help: "Snap name.") var name: String
        @Option(help: "The channel the rollout is in.") var channel = "stable"
        @OptionGroup var brand: BrandStoreOption
        @Flag(help: "Print machine-readable JSON.") var json = false

        func act(_ action: SnapStore.RolloutAction) async throws {
            struct Body: Encodable {
                let channel: String
                let action: String
                let store: String?
            }
            let status = try await StoreClient.fromEnvironment().post(
                "/admin/v1/snaps/\(name)/rollouts", Body(channel: channel, action: action.rawValue, store: brand.store),
                as: SnapStatus.self)
            try StatusCommand.show(status, json: json)
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let a halted or paused rollout go on; its health gate counts afresh.")
        @OptionGroup var options: Options
        func run() async throws { try await options.act(.resume) }
    }

    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Give the rollout's revision to every device of the channel.")
        @OptionGroup var options: Options
        func run() async throws { try await options.act(.complete) }
    }

    struct Abort: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take the rollout back: every device is offered the channel's previous revision again.")
        @OptionGroup var options: Options
        func run() async throws { try await options.act(.abort) }
    }
}
