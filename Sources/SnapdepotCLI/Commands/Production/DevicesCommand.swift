import ArgumentParser
import Assertions
import Foundation
import StoreCore
import StoreProtocol

/// The store's device inventory: every device its vault registered or that opened a session.
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List and show the devices the store has seen.",
        subcommands: [List.self, Show.self, Tag.self, RevokeSessions.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List devices by brand, model and first seen; a brand's token sees its own.")
        @Option(help: "Only this brand's devices.") var brand: String?
        @Option(help: "Only this model's devices.") var model: String?
        @Option(help: "Only devices seen in the last N seconds.") var seenWithin: Int64?
        @Option(help: "Only devices with this tag.") var tag: String?
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            var query: [String: String] = [:]
            query["brand"] = brand
            query["model"] = model
            query["tag"] = tag
            if let seenWithin { query["seen-since"] = String(Int64(Date().timeIntervalSince1970) - seenWithin) }
            let devices = try await StoreClient.fromEnvironment().get(
                "/admin/v1/devices", query: query, as: [DeviceRecord].self)
            if json { return try JSONOutput.print(devices) }
            print(
                Table.render(
                    ["brand", "model", "serial", "registered", "last seen", "last session", "tags"],
                    devices.map {
                        [
                            $0.brandID, $0.model, $0.serial, $0.registeredAt.map(DevicesCommand.time) ?? "elsewhere",
                            DevicesCommand.time($0.lastSeen), $0.lastSession.map(DevicesCommand.time) ?? "-",
                            $0.tags.joined(separator: ","),
                        ]
                    }))
            print("\(devices.count) device\(devices.count == 1 ? "" : "s")")
        }
    }

    struct Tag: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or remove tags on devices, by serial; groups select devices by tag.")
        @Argument(help: "The devices' serials.") var serials: [String]
        @Option(help: "A tag to add (repeatable).") var add: [String] = []
        @Option(help: "A tag to remove (repeatable).") var remove: [String] = []
        @Option(help: "The brand, when serials repeat across brands.") var brand: String?
        @Option(help: "The model, when serials repeat across models.") var model: String?
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let tagged = try await StoreClient.fromEnvironment().post(
                "/admin/v1/devices/tags",
                TagRequest(serials: serials, brand: brand, model: model, add: add, remove: remove),
                as: [DeviceRecord].self)
            if json { return try JSONOutput.print(tagged) }
            for device in tagged {
                print("\(device.serialKey): \(device.tags.isEmpty ? "no tags" : device.tags.joined(separator: ", "))")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one device: its serial, the snaps it last reported, and what happened to them.")
        @Argument(help: "The serial.") var serial: String
        @Option(help: "The brand, when serials repeat across brands.") var brand: String?
        @Option(help: "The model, when serials repeat across models.") var model: String?
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let client = try StoreClient.fromEnvironment()
            let found = try await DevicesCommand.device(serial: serial, brand: brand, model: model, client: client)
            let detail = try await client.get(
                "/admin/v1/devices/\(found.brandID)/\(found.model)/\(found.serial)", as: SnapStore.DeviceDetail.self)
            if json { return try JSONOutput.print(detail) }
            let device = detail.device
            print(
                Table.render(
                    ["", ""],
                    [
                        ["device", device.serialKey], ["device key", device.deviceKeyID],
                        ["registered", device.registeredAt.map(DevicesCommand.time) ?? "serial signed elsewhere"],
                        ["signed by", device.signedBy ?? "-"], ["first seen", DevicesCommand.time(device.firstSeen)],
                        ["last seen", DevicesCommand.time(device.lastSeen)],
                        ["last session", device.lastSession.map(DevicesCommand.time) ?? "-"],
                        ["open sessions", detail.sessionsOpened.map(DevicesCommand.time).joined(separator: ", ")],
                    ]
                ).split(separator: "\n").dropFirst().joined(separator: "\n"))
            if !detail.installed.isEmpty {
                print("\nInstalled, as last reported:")
                print(
                    Table.render(
                        ["snap", "revision", "tracking", "reported"],
                        detail.installed.map {
                            [$0.name ?? $0.snapID, String($0.revision), $0.channel, DevicesCommand.time($0.reportedAt)]
                        }))
            }
            if !detail.history.isEmpty {
                let names = Dictionary(
                    detail.installed.map { ($0.snapID, $0.name ?? $0.snapID) }, uniquingKeysWith: { first, _ in first })
                print("\nHistory:")
                print(
                    Table.render(
                        ["when", "snap", "revision", "event", "detail"],
                        detail.history.map {
                            [
                                DevicesCommand.time($0.at), names[$0.snapID] ?? $0.snapID, String($0.revision),
                                $0.kind.rawValue, $0.detail ?? "",
                            ]
                        }))
            }
            if let serial = detail.serialAssertion { print("\n" + serial, terminator: "") }
        }
    }

    static func time(_ seconds: Int64) -> String {
        Timestamp(seconds: seconds).text
    }

    /// The one device of the inventory with this serial (and brand and model, when serials repeat).
    static func device(serial: String, brand: String?, model: String?, client: StoreClient) async throws
        -> DeviceRecord
    {
        var query = ["serial": serial]
        query["brand"] = brand
        query["model"] = model
        let matches = try await client.get("/admin/v1/devices", query: query, as: [DeviceRecord].self)
        guard let found = matches.first else { throw CLIError("no device with serial \(serial) in the inventory") }
        guard matches.count == 1 else {
            throw CLIError(
                "serial \(serial) names \(matches.count) devices (\(matches.map(\.serialKey).joined(separator: ", "))): "
                    + "add --brand and --model")
        }
        return found
    }

    struct RevokeSessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke-sessions",
            abstract: "End a device's sessions: its next request must open a new one with its serial's key.")
        @Argument(help: "The serial.") var serial: String
        @Option(help: "The brand, when serials repeat across brands.") var brand: String?
        @Option(help: "The model, when serials repeat across models.") var model: String?
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            struct Revoked: Codable { let revoked: Int }
            let client = try StoreClient.fromEnvironment()
            let found = try await DevicesCommand.device(serial: serial, brand: brand, model: model, client: client)
            let data = try await client.raw(
                .DELETE, "/admin/v1/devices/\(found.brandID)/\(found.model)/\(found.serial)/sessions", body: nil,
                contentType: "application/json")
            let answer = try WireJSON.decoder.decode(Revoked.self, from: data)
            if json { return try JSONOutput.print(answer) }
            print("ended \(answer.revoked) session\(answer.revoked == 1 ? "" : "s") of \(found.serialKey)")
        }
    }
}
