import ArgumentParser
import Assertions
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
            Init.self, Boot.self, Refresh.self, Run.self, Schedule.self, Settings.self, Install.self, Remove.self,
            List.self,
            Changes.self, Change.self, Revert.self, Switch.self, Hold.self, Unhold.self, Validate.self,
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

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a device folder for a plain machine: a model, the roots it trusts, a new key, no seed.",
            discussion: """
                The folder holds what `factory flash` leaves without a seed: the device registers with the \
                store's serial vault at its first `agent boot`, then installs what `agent install` asks for.
                """)
        @Option(help: "The folder to create.") var device: String
        @Option(help: "The signed model assertion.") var model: String
        @Option(help: "The store the device uses.") var store: String
        @Option(help: "Root assertions the device trusts (default: the store's own).") var trusted: String?
        @Option(help: "Size of the device key (snapd uses 4096).") var keyBits: Int = 4096
        @Flag(help: "Print machine-readable JSON.") var json = false

        func validate() throws {
            guard [1024, 2048, 3072, 4096].contains(keyBits) else {
                throw ValidationError("--key-bits must be 1024, 2048, 3072 or 4096")
            }
        }

        func run() async throws {
            let assertions = try AssertionStream.decode(Array(try InputFile.read(model)))
            guard let assertion = assertions.first(where: { $0.type == .model }) else {
                throw CLIError("\(model) holds no model assertion")
            }
            let roots = try await StoreClient(Credentials(url: store, token: "")).trustedRoots(file: trusted)
            let state = try await DeviceState.initialize(
                folder: URL(fileURLWithPath: device), model: try Model(assertion), store: store, roots: roots,
                key: try PrivateKey.generate(bits: keyBits))
            if json { return try JSONOutput.print(state) }
            print("\(state.brandID)/\(state.model) device in \(device): it registers at its first `agent boot`")
        }
    }

    struct Boot: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Power the device on: try a new kernel or base, finish what a power cut stopped, seed, register.",
            discussion: """
                What a device does at every start, in snapd's order: a kernel or base revision on trial boots \
                (or the boot loader goes back to the previous one); changes a power cut interrupted are \
                finished or undone; on first boot the seed's snaps are verified against the seed's \
                assertions and installed; a device without a serial registers with the store's vault.
                """)
        @OptionGroup var options: DeviceOptions

        func run() async throws {
            let agent = try options.agent()
            let state = try await agent.boot()
            if options.json { return try JSONOutput.print(state.snaps) }
            print(
                "\(state.snaps.count) snaps installed on \(agent.device.brandID)/\(agent.device.model) "
                    + "serial \(try agent.serial()?.serial ?? "none yet")")
        }
    }

    struct Refresh: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Ask the store for newer revisions and install them, verified, as snapd refreshes.")
        @OptionGroup var options: DeviceOptions
        @Argument(help: "Only these snaps (default: every installed snap).") var names: [String] = []
        @Option(
            help: ArgumentHelp(
                "Rehearse a power cut: the agent kills itself (SIGKILL) once this step of an install is on disk; "
                    + "the next `agent boot` finishes or undoes the change.",
                valueName: InstallStep.allCases.map(\.rawValue).joined(separator: "|"))) var powerCutAfter: InstallStep?
        @Option(
            help: ArgumentHelp(
                "Refresh the named snaps in this cohort from now on (`+` asks the store for a new key), as snap "
                    + "refresh --cohort: the cohort gets a rollout's revision all together or not at all.",
                valueName: "key|+")) var cohort: String?
        @Flag(
            help: "Refresh the named snaps on the device's own place in rollouts again, as snap refresh --leave-cohort."
        )
        var leaveCohort = false

        func validate() throws {
            guard cohort == nil || !leaveCohort else {
                throw ValidationError("--cohort and --leave-cohort exclude each other")
            }
            guard (cohort == nil && !leaveCohort) || !names.isEmpty else {
                throw ValidationError("name the snaps that join or leave a cohort")
            }
        }

        func run() async throws {
            var agent = try options.agent()
            if let powerCutAfter { agent.afterStep = { if $0 == powerCutAfter { kill(getpid(), SIGKILL) } } }
            let change: Agent.CohortChange? = cohort.map { .join($0) } ?? (leaveCohort ? .leave : nil)
            let report = try await agent.refresh(names: names, cohort: change)
            if options.json { return try JSONOutput.print(report) }
            if report.refreshed.isEmpty && report.failed.isEmpty { print("All snaps up to date.") }
            for moved in report.refreshed { print("\(moved.name) refreshed from \(moved.from) to \(moved.to)") }
            for failed in report.failed {
                FileHandle.standardError.write(Data("\(failed.name) \(failed.revision): \(failed.reason)\n".utf8))
            }
            if !report.failed.isEmpty { throw ExitCode.failure }
        }
    }

    struct Settings: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Change refresh settings, like `snap set system`: KEY=VALUE sets, KEY! unsets.",
            discussion: """
                refresh.timer (e.g. 00:00~24:00/4, mon1,9:00~11:00), refresh.hold (an RFC 3339 time: no \
                scheduled refresh before it, 95 days at most after the last), refresh.metered=hold (no \
                scheduled refresh on a metered connection), refresh.retain (2-20 revisions kept); and before \
                the device registers, what a gadget's prepare-device hook sets: device-service.headers (a JSON \
                object sent to the serial vault, e.g. {"api-key": "…"}) and registration.proposed-serial.
                """)
        @OptionGroup var options: DeviceOptions
        @Argument(help: "KEY=VALUE or KEY!") var settings: [String]

        func run() throws {
            let agent = try options.agent()
            for setting in settings {
                if setting.hasSuffix("!") {
                    try agent.set(String(setting.dropLast()), nil)
                } else if let equals = setting.firstIndex(of: "=") {
                    try agent.set(String(setting[..<equals]), String(setting[setting.index(after: equals)...]))
                } else {
                    throw CLIError("\(setting): write KEY=VALUE to set or KEY! to unset")
                }
            }
        }
    }

    struct Validate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enforce, forget or list validation sets, like `snap validate`.",
            discussion: """
                --enforce ACCOUNT/NAME follows the set's newest sequence; ACCOUNT/NAME=N pins sequence N. \
                The installed snaps must satisfy it; refreshes then keep to the revisions it requires, \
                and a snap it makes invalid cannot be installed.
                """)
        @OptionGroup var options: DeviceOptions
        @Option(help: "ACCOUNT/NAME or ACCOUNT/NAME=SEQUENCE to enforce.") var enforce: String?
        @Option(help: "ACCOUNT/NAME to stop enforcing.") var forget: String?

        func run() async throws {
            let agent = try options.agent()
            func parse(_ text: String) throws -> (String, String, Int?) {
                let halves = text.split(separator: "=", maxSplits: 1).map(String.init)
                let parts = (halves.first ?? "").split(separator: "/").map(String.init)
                let sequence = halves.count == 2 ? Int(halves[1]) : nil
                guard parts.count == 2, halves.count == 1 || sequence != nil else {
                    throw CLIError("\(text): write ACCOUNT/NAME or ACCOUNT/NAME=SEQUENCE")
                }
                return (parts[0], parts[1], sequence)
            }
            if let enforce {
                let (account, name, sequence) = try parse(enforce)
                try await agent.enforce(account, name, sequence: sequence)
            }
            if let forget {
                let (account, name, _) = try parse(forget)
                try await agent.forget(account, name)
            }
            let sets = try agent.state().validationSets ?? []
            if options.json { return try JSONOutput.print(sets) }
            print(
                Table.render(
                    ["Validation", "Mode", "Seq", "Pinned"],
                    sets.map { [$0.label, "enforce", String($0.sequence), $0.pinned ? "yes" : "no"] }))
        }
    }

    struct Install: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Install a snap from the store, verified as a refresh is, like `snap install`.")
        @OptionGroup var options: DeviceOptions
        @Argument(help: "The snap.") var name: String
        @Option(help: "The channel to follow.") var channel = "stable"

        func run() async throws {
            let snap = try await options.agent().install(name, channel: channel)
            if options.json { return try JSONOutput.print(snap) }
            print("\(snap.name) \(snap.version) (revision \(snap.current)) installed from \(snap.channel)")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove a snap and its kept revisions, like `snap remove`; the model's snaps stay.")
        @OptionGroup var options: DeviceOptions
        @Argument(help: "The snap.") var name: String

        func run() async throws {
            try await options.agent().remove(name)
            if !options.json { print("\(name) removed") }
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

    struct Change: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one change and its steps, like `snap tasks ID`.")
        @OptionGroup var options: DeviceOptions
        @Argument(help: "The change's id (see `agent changes`).") var id: Int

        func run() throws {
            guard let change = try options.agent().state().change(id) else { throw CLIError("no change \(id)") }
            if options.json { return try JSONOutput.print(change) }
            print("\(change.id)  \(change.status.rawValue)  \(change.summary)")
            print(
                Table.render(
                    ["Status", "Step", "Reason"],
                    change.tasks.map { [$0.status.rawValue, $0.summary, $0.reason ?? ""] }))
        }
    }

    struct Revert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a kept revision current again, like `snap revert`; refreshes then skip the one left.")
        @OptionGroup var options: DeviceOptions
        @Argument(help: "The snap.") var name: String
        @Option(help: "The revision to go back to (default: the one before the current).") var revision: Int?

        func run() async throws {
            let snap = try await options.agent().revert(name, to: revision)
            if options.json { return try JSONOutput.print(snap) }
            print("\(snap.name) reverted to \(snap.version) (revision \(snap.current))")
        }
    }

    struct Switch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow another channel from the next refresh on, like `snap switch --channel`.")
        @OptionGroup var options: DeviceOptions
        @Argument(help: "The snap.") var name: String
        @Option(help: "The channel to follow.") var channel: String

        func run() async throws {
            let snap = try await options.agent().switchChannel(name, to: channel)
            if options.json { return try JSONOutput.print(snap) }
            print("\(snap.name) now tracks \(snap.channel)")
        }
    }

    struct Hold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Keep snaps out of refreshes of everything, like `snap refresh --hold NAME`.")
        @OptionGroup var options: DeviceOptions
        @Argument(help: "The snaps.") var names: [String]

        func run() async throws {
            try await options.agent().hold(names, true)
            if !options.json { print("held: \(names.joined(separator: ", "))") }
        }
    }

    struct Unhold: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let held snaps refresh again.")
        @OptionGroup var options: DeviceOptions
        @Argument(help: "The snaps.") var names: [String]

        func run() async throws {
            try await options.agent().hold(names, false)
            if !options.json { print("released: \(names.joined(separator: ", "))") }
        }
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Refresh on the device's schedule (`refresh.timer`) until stopped, as snapd's auto-refresh.")
        @OptionGroup var options: DeviceOptions
        @Flag(help: "Refresh once if a refresh is due, else say when the next one is, and stop.") var once = false
        @Flag(help: "Behave as on a metered connection (with refresh.metered=hold, scheduled refreshes wait).")
        var metered = false

        func run() async throws {
            var agent = try options.agent()
            agent.meteredConnection = metered
            try await agent.boot()
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
                if try agent.heldByMeteredConnection() {
                    if json { return try JSONOutput.print(["held": "metered connection"]) }
                    return print("refresh held: the connection is metered (refresh.metered=hold)")
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
            let hold: String?
            let next: String
        }

        func run() throws {
            let agent = try options.agent()
            if let set { try agent.set("refresh.timer", set) }
            if reset { try agent.set("refresh.timer", nil) }
            var random = SystemRandomNumberGenerator()
            let shown = Shown(
                timer: try agent.schedule().description, last: try agent.state().lastRefresh,
                hold: try agent.state().refreshHold,
                next: WireTime.string(Int64(try agent.nextRefresh(using: &random).timeIntervalSince1970)))
            if options.json { return try JSONOutput.print(shown) }
            print(
                "timer: \(shown.timer)\nlast: \(shown.last ?? "n/a")\n"
                    + (shown.hold.map { "hold: \($0)\n" } ?? "") + "next: \(shown.next)")
        }
    }
}

extension InstallStep: ExpressibleByArgument {}
