import ArgumentParser
import Foundation
import StoreCore

/// Named sets of a brand's devices that a release can target (`release … --to NAME`).
struct GroupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups",
        abstract: "Define the device groups targeted releases go to: by model, tag or serials.",
        subcommands: [Add.self, List.self, Show.self, Remove.self]
    )

    struct GroupView: Codable {
        let group: DeviceGroup
        let devices: [DeviceRecord]
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create or replace a group: the brand's devices matching every selector given.")
        @Argument(help: "The group's name.") var name: String
        @Option(help: "The brand whose devices it holds (default: the token's account).") var brand: String?
        @Option(help: "Devices of this model.") var model: String?
        @Option(help: "Devices with this tag.") var tag: String?
        @Option(help: "These serials, comma-separated.") var serials: String?
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let view = try await StoreClient.fromEnvironment().post(
                "/admin/v1/groups",
                GroupRequest(
                    name: name, brand: brand, model: model, tag: tag,
                    serials: serials.map { $0.split(separator: ",").map(String.init) }),
                as: GroupView.self)
            if json { return try JSONOutput.print(view) }
            print("group \(view.group.name): \(view.devices.count) device\(view.devices.count == 1 ? "" : "s") now")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List groups and what selects their devices.")
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let groups = try await StoreClient.fromEnvironment().get("/admin/v1/groups", as: [DeviceGroup].self)
            if json { return try JSONOutput.print(groups) }
            print(
                Table.render(
                    ["group", "brand", "model", "tag", "serials"],
                    groups.map {
                        [
                            $0.name, $0.brandID, $0.model ?? "-", $0.tag ?? "-",
                            $0.serials?.joined(separator: ",") ?? "-",
                        ]
                    }))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a group and the devices in it now.")
        @Argument(help: "The group's name.") var name: String
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() async throws {
            let view = try await StoreClient.fromEnvironment().get("/admin/v1/groups/\(name)", as: GroupView.self)
            if json { return try JSONOutput.print(view) }
            print("group \(view.group.name) (\(view.group.brandID)): \(view.devices.count) devices")
            print(
                Table.render(
                    ["model", "serial", "tags"],
                    view.devices.map { [$0.model, $0.serial, $0.tags.joined(separator: ",")] }))
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a group (its devices stay as they are).")
        @Argument(help: "The group's name.") var name: String

        func run() async throws {
            _ = try await StoreClient.fromEnvironment().raw(
                .DELETE, "/admin/v1/groups/\(name)", body: nil, contentType: "application/json")
            print("group \(name) removed")
        }
    }
}
