import ArgumentParser
import DeviceAgent
import Foundation
import StoreProtocol

/// The device-update agent on a device folder that `factory flash` made: first boot from the
/// image's seed, refreshes from the store, and what it installed, as `snap list`/`snap changes` show.
struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run a device's update agent: seed from the image, refresh from the store, list what is installed.",
        subcommands: [
            Boot.self, Refresh.self, Run.self, Schedule.self, List.self, Changes.self, Revert.self, Switch.self,
            Hold.self, Unhold.self,
        ]
    )

    struct DeviceOptions: ParsableArguments {
        @Option(help: "The device folder (as `factory flash` writes it).") var device: String
        @Option(help: "The store to use instead of the one the device was flashed for.") var store: String?
        @Flag(help: "Print machine-readable JSON.") var json = false

        func agent() throws -> Agent {
            try Agent.open(folder: URL(fileURLWithPath: device), storeURL: store)
        }
    }

    struct Boot: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "First boot: verify the seed's snaps against the seed's assertions and install them.")
        @OptionGroup var options: DeviceOptions

        func run() throws {
            let agent = try options.agent()
            let state = try agent.boot()
            if options.json { return try JSONOutput.print(state.snaps) }
            print(
                "\(state.snaps.count) snaps seeded on \(agent.device.brandID)/\(agent.device.model) "
                    + "serial \(agent.device.serial)")
        }
    }

    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the store for newer revisions and install them, verified, as snapd refreshes.")
        @OptionGroup var options: DeviceOptions
        @Argument(help: "Only these snaps (default: every installed snap).") var names: [String] = []

        func run() async throws {
            let report = try await options.agent().refresh(names: names)
            if options.json { return try JSONOutput.print(report) }
            if report.refreshed.isEmpty && report.failed.isEmpty { print("All snaps up to date.") }
            for moved in report.refreshed { print("\(moved.name) refreshed from \(moved.from) to \(moved.to)") }
            for failed in report.failed {
                FileHandle.standardError.write(Data("\(failed.name) \(failed.revision): \(failed.reason)\n".utf8))
            }
            if !report.failed.isEmpty { throw ExitCode.failure }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List installed snaps, like `snap list`.")
        @OptionGroup var options: DeviceOptions

        func run() throws {
            let snaps = try options.agent().state().snaps
            if options.json { return try JSONOutput.print(snaps) }
            print(
                Table.render(
                    ["Name", "Version", "Rev", "Tracking", "Kept"],
                    snaps.map {
                        [
                            $0.name, $0.version, String($0.current), $0.channel,
                            $0.sequence.map(String.init).joined(separator: ","),
                        ]
                    }))
        }
    }

    struct Changes: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the agent's changes and their steps, like `snap changes` and `snap tasks`.")
        @OptionGroup var options: DeviceOptions

        func run() throws {
            let changes = try options.agent().state().changes
            if options.json { return try JSONOutput.print(changes) }
            for change in changes {
                print("\(change.id)  \(change.status.rawValue)  \(change.spawnTime)  \(change.summary)")
                for task in change.tasks {
                    print("    \(task.status.rawValue)  \(task.summary)\(task.reason.map { ": \($0)" } ?? "")")
                }
            }
        }
    }

    struct Revert: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a kept revision current again, like `snap revert`; refreshes then skip the one left.")
        @OptionGroup var options: DeviceOptions
        @Argument(help: "The snap.") var name: String
        @Option(help: "The revision to go back to (default: the one before the current).") var revision: Int?

        func run() throws {
            let snap = try options.agent().revert(name, to: revision)
            if options.json { return try JSONOutput.print(snap) }
            print("\(snap.name) reverted to \(snap.version) (revision \(snap.current))")
        }
    }

    struct Switch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow another channel from the next refresh on, like `snap switch --channel`.")
        @OptionGroup var options: DeviceOptions
        @Argument(help: "The snap.") var name: String
        @Option(help: "The channel to follow.") var channel: String

        func run() throws {
            let snap = try options.agent().switchChannel(name, to: channel)
            if options.json { return try JSONOutput.print(snap) }
            print("\(snap.name) now tracks \(snap.channel)")
        }
    }

    struct Hold: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep snaps out of refreshes of everything, like `snap refresh --hold NAME`.")
        @OptionGroup var options: DeviceOptions
        @Argument(help: "The snaps.") var names: [String]

        func run() throws {
            try options.agent().hold(names, true)
            if !options.json { print("held: \(names.joined(separator: ", "))") }
        }
    }

    struct Unhold: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let held snaps refresh again.")
        @OptionGroup var options: DeviceOptions
        @Argument(help: "The snaps.") var names: [String]

        func run() throws {
            try options.agent().hold(names, false)
            if !options.json { print("released: \(names.joined(separator: ", "))") }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Refresh on the device's schedule (`refresh.timer`) until stopped, as snapd's auto-refresh.")
        @OptionGroup var options: DeviceOptions
        @Flag(help: "Refresh once if a refresh is due, else say when the next one is, and stop.") var once = false

        func run() async throws {
            let agent = try options.agent()
            try agent.boot()
            let json = options.json
            if once {
                var random = SystemRandomNumberGenerator()
                let due = try agent.nextRefresh(using: &random)
                guard due <= Date() else {
                    if json {
                        return try JSONOutput.print(["next-refresh": WireTime.string(Int64(due.timeIntervalSince1970))])
                    }
                    return print("next refresh at \(WireTime.string(Int64(due.timeIntervalSince1970)))")
                }
                return try Self.show(.success(try await agent.refresh(scheduled: true)), json: json)
            }
            try await agent.run { result in try? Self.show(result, json: json) }
        }

        static func show(_ result: Result<Agent.RefreshReport, any Error>, json: Bool) throws {
            switch result {
            case .success(let report):
                if json { return try JSONOutput.print(report) }
                if report.refreshed.isEmpty && report.failed.isEmpty { print("All snaps up to date.") }
                for moved in report.refreshed { print("\(moved.name) refreshed from \(moved.from) to \(moved.to)") }
                for failed in report.failed { print("\(failed.name) \(failed.revision): \(failed.reason)") }
            case .failure(let error):
                FileHandle.standardError.write(Data("refresh failed: \(error)\n".utf8))
            }
        }
    }

    struct Schedule: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Show or set the refresh schedule, like `snap refresh --time` and `snap set system refresh.timer`.")
        @OptionGroup var options: DeviceOptions
        @Option(help: "A new refresh.timer, e.g. 00:00~24:00/4 or mon-fri,9:00~17:00.") var set: String?
        @Flag(help: "Go back to snapd's default schedule.") var reset = false

        struct Shown: Encodable {
            let timer: String
            let last: String?
            let next: String
        }

        func run() throws {
            let agent = try options.agent()
            if let set { try agent.setRefreshTimer(set) }
            if reset { try agent.setRefreshTimer(nil) }
            var random = SystemRandomNumberGenerator()
            let shown = Shown(
                timer: try agent.schedule().description, last: try agent.state().lastRefresh,
                next: WireTime.string(Int64(try agent.nextRefresh(using: &random).timeIntervalSince1970)))
            if options.json { return try JSONOutput.print(shown) }
            print("timer: \(shown.timer)\nlast: \(shown.last ?? "n/a")\nnext: \(shown.next)")
        }
    }
}
