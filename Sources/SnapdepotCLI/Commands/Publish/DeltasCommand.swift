import ArgumentParser
import Foundation
import StoreCore

struct DeltasCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deltas",
        abstract: "List the xdelta3 deltas made between a snap's revisions, or make one now.",
        discussion: """
            The store makes the deltas from what a channel held to what is released into it, in the \
            background, and the one from a device's revision when a device that accepts deltas first \
            asks. A delta is announced to devices when it is at most 75 % of the whole snap. \
            `--from R --to R` makes one now and waits for it.
            """)

    @Argument(help: "Snap name.") var name: String
    @Option(help: "Make the delta from this revision (with --to).") var from: Int?
    @Option(help: "Make the delta to this revision (with --from).") var to: Int?
    @OptionGroup var brand: BrandStoreOption
    @Flag(help: "Print machine-readable JSON.") var json = false

    func validate() throws {
        guard (from == nil) == (to == nil) else { throw ValidationError("--from and --to go together") }
    }

    func run() async throws {
        struct Order: Encodable {
            let source: Int
            let target: Int
            let store: String?
        }
        let client = try StoreClient.fromEnvironment()
        let deltas: [SnapStore.DeltaView]
        if let from, let to {
            deltas = [
                try await client.post(
                    "/admin/v1/snaps/\(name)/deltas", Order(source: from, target: to, store: brand.store),
                    as: SnapStore.DeltaView.self)
            ]
        } else {
            deltas = try await client.get(
                "/admin/v1/snaps/\(name)/deltas", query: brand.store.map { ["store": $0] } ?? [:],
                as: [SnapStore.DeltaView].self)
        }
        if json { return try JSONOutput.print(deltas) }
        if deltas.isEmpty { return print("\(name) has no deltas yet.") }
        print(
            Table.render(
                ["From", "To", "Format", "Size", "Of the snap", "Announced"],
                deltas.map {
                    [
                        String($0.source), String($0.target), $0.format, String($0.size),
                        $0.targetSize == 0
                            ? "–" : "\(Int((Double($0.size) * 100 / Double($0.targetSize)).rounded())) %",
                        $0.announced ? "yes" : "no (too large)",
                    ]
                }))
    }
}
