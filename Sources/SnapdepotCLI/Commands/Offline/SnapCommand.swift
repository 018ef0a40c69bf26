import ArgumentParser
import Foundation
import SnapFiles

struct SnapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snap",
        abstract: "Inspect .snap files.",
        subcommands: [Info.self]
    )

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print what the store reads from a snap file.")

        @Argument(help: "A .snap file.") var file: String
        @Flag(help: "Print machine-readable JSON.") var json = false

        func run() throws {
            let snap = try SnapFile.open(path: file)
            let summary = SnapSummary(snap)
            if json {
                try JSONOutput.print(summary)
                return
            }
            let rows: [(String, String)] = [
                ("name", summary.name), ("version", summary.version), ("type", summary.type),
                ("base", summary.base.isEmpty ? "-" : summary.base),
                ("architectures", summary.architectures.joined(separator: ", ")),
                ("epoch", snap.metadata.epoch.description), ("confinement", summary.confinement),
                ("grade", summary.grade ?? "-"), ("provenance", summary.provenance),
                ("apps", summary.apps.isEmpty ? "-" : summary.apps.joined(separator: ", ")),
                ("hooks", summary.hooks.isEmpty ? "-" : summary.hooks.joined(separator: ", ")),
                ("sha3-384", summary.sha3_384), ("snap-sha3-384", summary.snapSHA3_384), ("size", String(summary.size)),
            ]
            for (key, value) in rows {
                print((key + ":").padding(toLength: 15, withPad: " ", startingAt: 0) + value)
            }
        }
    }
}

/// The JSON form of a snap file's metadata, shared by `pack` and `snap info`.
struct SnapSummary: Encodable {
    let path: String
    let name: String
    let version: String
    let type: String
    let base: String
    let architectures: [String]
    let epoch: Epoch
    let confinement: String
    let grade: String?
    let provenance: String
    let apps: [String]
    let hooks: [String]
    let plugs: [String]
    let slots: [String]
    let sha3_384: String
    let snapSHA3_384: String
    let size: UInt64

    enum CodingKeys: String, CodingKey {
        case path, name, version, type, base, architectures, epoch, confinement, grade, provenance, apps, hooks
        case plugs, slots, size
        case sha3_384 = "sha3-384"
        case snapSHA3_384 = "snap-sha3-384"
    }

    init(_ snap: SnapFile) {
        let metadata = snap.metadata
        path = snap.path
        name = metadata.name
        version = metadata.version
        type = metadata.type.rawValue
        base = metadata.base
        architectures = metadata.architectures
        epoch = metadata.epoch
        confinement = metadata.confinement.rawValue
        grade = metadata.grade
        provenance = metadata.provenance
        apps = metadata.apps
        hooks = metadata.hooks
        plugs = metadata.plugs
        slots = metadata.slots
        sha3_384 = snap.sha3_384Hex
        snapSHA3_384 = snap.sha3_384Base64URL
        size = snap.size
    }
}
