import ArgumentParser
import Foundation
import StoreCore

/// Faults injected on purpose to rehearse what a bad network or store does to devices.
struct FaultsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "faults",
        abstract: "Inject faults for rehearsals: error statuses, delays, cut, throttled or corrupted downloads.",
        subcommands: [Add.self, List.self, Clear.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a fault; it is stored, counts its firings and logs each one.",
            discussion: """
                Kinds: status (--status 5xx), delay (--delay-ms), cut (--after-bytes), throttle \
                (--rate bytes/s), corrupt (one byte flipped), fail-check-health (for simulated \
                devices: the revision's health check fails). Endpoints: refresh, download, \
                assertions (cut, throttle and corrupt are the download's). Narrow it to a snap and \
                revision, a device group or a share of devices; --chance spoils that share of the \
                matching answers, --times that many.
                """)
        @Argument(help: "status, delay, cut, throttle, corrupt or fail-check-health.") var kind: String
        @Option(help: "refresh, download or assertions.") var endpoint: String?
        @Option(help: "Only answers about this snap.") var snap: String?
        @Option(help: "Only this revision of it.") var revision: Int?
        @Option(help: "Only devices of this group.") var group: String?
        @Option(help: "Only this share of devices (0-100), the same devices every time.") var devices: Double?
        @Option(help: "Spoil this share (0-100) of the matching answers.") var chance: Double?
        @Option(help: "Spoil this many answers, then stop.") var times: Int?
        @Option(help: "The status a status fault answers (500-599).") var status: Int?
        @Option(help: "How long a delay fault waits, in milliseconds.") var delayMs: Int?
        @Option(help: "Bytes a cut download sends before the connection closes.") var afterBytes: Int?
        @Option(help: "Bytes per second a throttled download gets.") var rate: Int?
        @OptionGroup var brand: BrandStoreOption
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let fault = try await StoreClient.fromEnvironment().post(
                "/admin/v1/faults",
                FaultRequest(
                    kind: kind, endpoint: endpoint, snap: snap, store: brand.store, revision: revision, group: group,
                    devicePercent: devices, chance: chance, times: times, status: status, delayMs: delayMs,
                    afterBytes: afterBytes, bytesPerSecond: rate),
                as: Fault.self)
            if json { return try JSONOutput.print(fault) }
            print("fault \(fault.id) added: \(FaultsCommand.describe(fault))")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the faults in force and how often each fired.")
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let faults = try await StoreClient.fromEnvironment().get("/admin/v1/faults", as: [Fault].self)
            if json { return try JSONOutput.print(faults) }
            guard !faults.isEmpty else { return print("no faults") }
            print(
                Table.render(
                    ["id", "fault", "fired"],
                    faults.map {
                        [
                            String($0.id), FaultsCommand.describe($0),
                            "\($0.fired)\($0.times.map { " of \($0)" } ?? "")",
                        ]
                    }))
        }
    }

    struct Clear: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove one fault, or all of them.")
        @Argument(help: "The fault's id (default: every fault).") var id: Int?

        func run() async throws {
            struct Cleared: Decodable { let cleared: Int }
            let data = try await StoreClient.fromEnvironment().raw(
                .DELETE, "/admin/v1/faults" + (id.map { "/\($0)" } ?? ""), body: nil, contentType: "application/json")
            let cleared = (try? JSONDecoder().decode(Cleared.self, from: data).cleared) ?? 0
            print("\(cleared) fault\(cleared == 1 ? "" : "s") cleared")
        }
    }

    /// `cut download of snap-id 2 after 1000 bytes, for group canary, 3 times`.
    static func describe(_ fault: Fault) -> String {
        var text = "\(fault.kind.rawValue) \(fault.endpoint.rawValue)"
        switch fault.kind {
        case .status: text += " with HTTP \(fault.status ?? 0)"
        case .delay: text += " by \(fault.delayMilliseconds ?? 0) ms"
        case .cut: text += " after \(fault.afterBytes ?? 0) bytes"
        case .throttle: text += " at \(fault.bytesPerSecond ?? 0) bytes/s"
        case .corrupt, .failCheckHealth: break
        }
        if let snapID = fault.snapID { text += " of \(snapID)" + (fault.revision.map { " revision \($0)" } ?? "") }
        if let group = fault.group { text += ", group \(group)" }
        if let share = fault.devicePercent { text += ", \(share.formatted())% of devices" }
        if let chance = fault.chance { text += ", \(chance.formatted())% of answers" }
        if let times = fault.times { text += ", \(times) time\(times == 1 ? "" : "s")" }
        return text
    }
}
