import Assertions
import ChildProcesses
import Foundation
import Yams

/// An image's seed as a device reads it at first boot (snapd's `seed/`: `seed16.go`, `seed20.go`):
/// the model, the assertions that came with it, and the snaps a device starts with.
public struct SeedImage: Sendable {
    public struct Snap: Codable, Sendable, Equatable {
        public let name: String
        public let revision: Int
        public let channel: String
        /// Where the file is: in the seed, or, once installed, in the device's folder.
        public let file: String

        public init(name: String, revision: Int, channel: String, file: String) {
            self.name = name
            self.revision = revision
            self.channel = channel
            self.file = file
        }

        /// The same snap installed on a device, as `snaps/NAME_REV.snap`.
        public var installed: Snap {
            Snap(name: name, revision: revision, channel: channel, file: "snaps/\(name)_\(revision).snap")
        }
    }

    public let seed: URL
    public let model: Model
    public let assertions: [Assertion]
    public let snaps: [Snap]

    /// Unpacks `tar` (as `image build --tar` writes it) into `folder` and reads the seed at snapd's
    /// place for each kind of image.
    public static func unpack(_ tar: String, into folder: URL) throws -> SeedImage {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let unpacked = try ChildProcess.run("/bin/tar", ["-C", folder.path, "-xf", tar], timeout: .seconds(600))
        guard unpacked.succeeded else {
            throw DeviceAgentError(
                "\(tar) is not a tar archive tar can read (tar: \(unpacked.describe(timeout: .seconds(600)))): "
                    + unpacked.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        for candidate in ["image/var/lib/snapd/seed", "var/lib/snapd/seed"] {
            let seed = folder.appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: seed.appendingPathComponent("seed.yaml").path) {
                return try series16(seed)
            }
        }
        let systems = folder.appendingPathComponent("system-seed/systems")
        if let label = (try? FileManager.default.contentsOfDirectory(atPath: systems.path))?.sorted().last {
            return try extended(folder.appendingPathComponent("system-seed"), label: label)
        }
        throw DeviceAgentError(
            "\(tar) holds no seed: build it with `snapdepot image build MODEL --output DIR --tar FILE`")
    }

    private static func series16(_ seed: URL) throws -> SeedImage {
        struct SeedYAML: Decodable {
            struct Entry: Decodable {
                let name: String
                let channel: String?
                let file: String
            }
            let snaps: [Entry]
        }
        let text = try String(contentsOf: seed.appendingPathComponent("seed.yaml"), encoding: .utf8)
        let parsed: SeedYAML
        do {
            parsed = try YAMLDecoder().decode(SeedYAML.self, from: text)
        } catch {
            throw DeviceAgentError("\(seed.path)/seed.yaml is not a seed: \(error)")
        }
        let snaps = try parsed.snaps.map {
            Snap(
                name: $0.name, revision: try revision(of: $0.file), channel: $0.channel ?? "stable",
                file: "snaps/\($0.file)")
        }
        return try SeedImage(
            seed: seed, model: model(at: seed.appendingPathComponent("assertions/model")),
            assertions: assertions(in: seed.appendingPathComponent("assertions")), snaps: snaps)
    }

    private static func extended(_ seed: URL, label: String) throws -> SeedImage {
        struct Options: Decodable {
            struct Entry: Decodable {
                let name: String
                let channel: String?
            }
            let snaps: [Entry]
        }
        let system = seed.appendingPathComponent("systems/\(label)")
        let model = try model(at: system.appendingPathComponent("model"))
        var channels = Dictionary(
            ([model.snapd, model.base, model.kernel, model.gadget].compactMap { $0 } + model.otherSnaps).map {
                ($0.name, $0.defaultChannel)
            }, uniquingKeysWith: { first, _ in first })
        // Grade dangerous: extra snaps and channel overrides (snapd's `options.yaml`).
        if let text = try? String(contentsOf: system.appendingPathComponent("options.yaml"), encoding: .utf8) {
            for entry in try YAMLDecoder().decode(Options.self, from: text).snaps {
                if let channel = entry.channel { channels[entry.name] = channel }
            }
        }
        var snaps: [Snap] = []
        // The model's snaps are shared by every system; a system's extra snaps are its own.
        for folder in ["snaps", "systems/\(label)/snaps"] {
            let files =
                (try? FileManager.default.contentsOfDirectory(atPath: seed.appendingPathComponent(folder).path)) ?? []
            for file in files.filter({ $0.hasSuffix(".snap") }).sorted() {
                let name = String(file.prefix { $0 != "_" })
                snaps.append(
                    Snap(
                        name: name, revision: try revision(of: file), channel: channels[name] ?? "latest/stable",
                        file: "\(folder)/\(file)"))
            }
        }
        return SeedImage(
            seed: seed, model: model, assertions: try assertions(in: system.appendingPathComponent("assertions")),
            snaps: snaps)
    }

    /// `NAME_REV.snap` → REV.
    private static func revision(of file: String) throws -> Int {
        guard file.hasSuffix(".snap"), let underscore = file.lastIndex(of: "_"),
            let revision = Int(file[file.index(after: underscore)...].dropLast(5))
        else { throw DeviceAgentError("seed file \(file) is not named NAME_REVISION.snap") }
        return revision
    }

    private static func model(at file: URL) throws -> Model {
        guard let data = FileManager.default.contents(atPath: file.path),
            let assertion = try AssertionStream.decode(Array(data)).first
        else { throw DeviceAgentError("the image has no model at \(file.path)") }
        return try Model(assertion)
    }

    private static func assertions(in folder: URL) throws -> [Assertion] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            .filter { $0 != "model" }
            .flatMap { try AssertionStream.decode(Array(try Data(contentsOf: folder.appendingPathComponent($0)))) }
    }
}
