import Assertions
import Foundation
import SnapFiles
import StoreProtocol

/// Builds a seed for a model from a store, as `snap prepare-image` does: it resolves the model's
/// snaps for its architecture, downloads each, and keeps it only if its SHA3-384 and full assertion
/// chain verify against the trusted root. Series-16 and classic models get `seed.yaml`, `snaps/`
/// and `assertions/`; UC20+ models get `snaps/` and `systems/LABEL/` with `model` and `assertions/`
/// (snapd's `image/` and `seed/seedwriter`).
public struct SeedBuilder {
    public struct Entry: Sendable {
        public let name: String
        public let snapID: String
        public let revision: Int
        public let channel: String
        public let file: String
    }

    /// Where snaps come from: the device API, as a device of the model (its architecture and store).
    public let connection: StoreConnection
    public let model: Model
    public let trust: TrustDatabase
    public let extras: [(name: String, channel: String)]
    /// Told of each download's progress: the file's name, bytes so far, and its size.
    public let progress: (@Sendable (String, UInt64, UInt64) -> Void)?
    /// Told when a download is done.
    public let finished: (@Sendable (String) -> Void)?
    /// The recovery system's label in a UC20+ seed.
    public var label: String = SeedBuilder.defaultLabel()

    public init(
        connection: StoreConnection, model: Model, trust: TrustDatabase, extras: [(name: String, channel: String)],
        progress: (@Sendable (String, UInt64, UInt64) -> Void)? = nil, finished: (@Sendable (String) -> Void)? = nil
    ) {
        var connection = connection
        connection.architecture = model.architecture
        connection.storeID = model.store.isEmpty ? nil : model.store
        self.connection = connection
        self.model = model
        self.trust = trust
        self.extras = extras
        self.progress = progress
        self.finished = finished
    }

    public static func defaultLabel() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }

    public var isExtended: Bool { model.form == .extended }

    private var fetcher: AssertionFetcher { AssertionFetcher(connection: connection) }

    /// A snap the seed will hold: where it comes from and what `options.yaml` says of it.
    public struct Wanted {
        public let name: String
        public let channel: String
        /// Not in the model: a UC20+ seed keeps it in the recovery system's own `snaps/`.
        var isExtra = false
        /// What a UC20+ grade-dangerous seed's `options.yaml` records: an extra snap, or a model
        /// snap on another channel than the model's default (with the model's id for it).
        var option: (id: String?, channel: String)?
    }

    /// The snaps a device is made of, in the order snapd seeds them, with the channel of each.
    public func wantedSnaps() -> [Wanted] {
        if isExtended {
            // UC20+: snapd, then the essential snaps and the rest, on the model's default channels
            // unless a --snap names another (grade dangerous only, checked by the caller).
            var wanted: [Wanted] = []
            let listed = [model.base, model.kernel, model.gadget].compactMap { $0 } + model.otherSnaps
            let snapd = model.snapd.map { [($0.name, $0.defaultChannel, $0.snapID)] } ?? [("snapd", "", "")]
            for (name, channel, id) in snapd + listed.map({ ($0.name, $0.defaultChannel, $0.snapID) })
            where !wanted.contains(where: { $0.name == name }) {
                let modelDefault = channel.isEmpty ? "latest/stable" : channel
                let resolved = Self.resolve(modelDefault, extras.first { $0.name == name }?.channel ?? "")
                var entry = Wanted(name: name, channel: resolved)
                if resolved != modelDefault { entry.option = (id.isEmpty ? nil : id, resolved) }
                wanted.append(entry)
            }
            for extra in extras where !wanted.contains(where: { $0.name == extra.name }) {
                let channel = Self.resolve("latest/stable", extra.channel)
                wanted.append(Wanted(name: extra.name, channel: channel, isExtra: true, option: (nil, channel)))
            }
            return wanted
        }
        var names: [String] = []
        if model.isClassic {
            if !(model.otherSnaps.isEmpty && extras.isEmpty && model.gadget == nil) { names.append("core") }
        } else if let base = model.base {
            names += ["snapd", base.name]
        } else {
            names.append("core")
        }
        names += [model.kernel?.name, model.gadget?.name].compactMap { $0 }
        names += model.otherSnaps.map(\.name)
        var seen = Set<String>()
        var wanted: [Wanted] = []
        for name in names where seen.insert(name).inserted { wanted.append(Wanted(name: name, channel: "stable")) }
        for extra in extras where seen.insert(extra.name).inserted {
            wanted.append(Wanted(name: extra.name, channel: extra.channel.isEmpty ? "stable" : extra.channel))
        }
        return wanted
    }

    /// snapd's `channel.Resolve`: a risk (and branch) alone keeps the default's track.
    public static func resolve(_ defaultChannel: String, _ requested: String) -> String {
        guard !requested.isEmpty else { return defaultChannel }
        let first = requested.split(separator: "/").first.map(String.init) ?? ""
        guard Risk(rawValue: first) != nil else { return requested }
        let track = defaultChannel.split(separator: "/").first.map(String.init) ?? ""
        return Risk(rawValue: track) != nil || track.isEmpty ? requested : "\(track)/\(requested)"
    }

    /// Writes the seed into `seedDirectory`, which must not exist yet; returns its snaps.
    public func build(into seedDirectory: URL) async throws -> [Entry] {
        guard !FileManager.default.fileExists(atPath: seedDirectory.path) else {
            throw DeviceAgentError("\(seedDirectory.path) already exists: choose a new --output")
        }
        // The first folder on the way that is not there yet: a failed build removes it, leaving nothing.
        var created = seedDirectory
        while !FileManager.default.fileExists(atPath: created.deletingLastPathComponent().path) {
            created = created.deletingLastPathComponent()
        }
        // Built beside its final place and renamed in at the end, so a seed is never half-written.
        let staging = seedDirectory.deletingLastPathComponent().appendingPathComponent(".seed-\(UUID().uuidString)")
        do {
            for folder in ["snaps", assertionsFolder] {
                try FileManager.default.createDirectory(
                    at: staging.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            let entries = try await fill(staging)
            try FileManager.default.moveItem(at: staging, to: seedDirectory)
            return entries
        } catch {
            try? FileManager.default.removeItem(at: created == seedDirectory ? staging : created)
            throw error
        }
    }

    private var assertionsFolder: String { isExtended ? "systems/\(label)/assertions" : "assertions" }

    private func fill(_ seed: URL) async throws -> [Entry] {
        var trust = trust
        var assertions: [Assertion] = []
        func accept(_ assertion: Assertion) throws {
            guard trust.find(assertion.reference) == nil else { return }
            do {
                try trust.add(assertion)
            } catch {
                throw DeviceAgentError(
                    "the store's \(assertion.type.name) \(assertion.primaryKey.joined(separator: "/")) does not verify: \(error)"
                )
            }
            assertions.append(assertion)
        }
        // The model's own chain first: the brand's account and key, then the model.
        for reference in [
            AssertionReference(.account, [model.brandID]),
            AssertionReference(.accountKey, [model.assertion.string("sign-key-sha3-384")]),
        ] where !trust.isTrustedAccount(model.brandID) {
            for assertion in try await fetcher.chain(reference, trusting: trust) { try accept(assertion) }
        }
        do {
            try trust.add(model.assertion)
        } catch {
            throw DeviceAgentError("the model does not verify: \(error)")
        }
        assertions.append(model.assertion)

        var entries: [Entry] = []
        var options: [(name: String, id: String, channel: String)] = []
        let queue = wantedSnaps()
        for wanted in queue {
            let folder = wanted.isExtra ? "systems/\(label)/snaps" : "snaps"
            let (entry, snap, chain) = try await fetchSnap(
                name: wanted.name, channel: wanted.channel, into: seed.appendingPathComponent(folder), trust: trust)
            for assertion in chain { try accept(assertion) }
            try checkBootSnap(snap, declaration: chain.first { $0.type == .snapDeclaration })
            entries.append(entry)
            if let option = wanted.option {
                options.append((wanted.name, option.id ?? entry.snapID, option.channel))
            }
            // As snapd's seed writer: a snap's base must be in the image by name, never pulled in silently.
            let base = snap.metadata.base.isEmpty && snap.metadata.type == .app ? "core" : snap.metadata.base
            if !base.isEmpty, base != "none", !queue.contains(where: { $0.name == base }) {
                throw DeviceAgentError(
                    "cannot add snap \"\(wanted.name)\" without also adding its base \"\(base)\" explicitly: "
                        + "add \(base) to the model, or pass --snap \(base)")
            }
        }
        for (number, assertion) in assertions.enumerated() {
            let file =
                assertion.type == .model
                ? seed.appendingPathComponent(isExtended ? "systems/\(label)/model" : "assertions/model")
                : seed.appendingPathComponent(assertionsFolder)
                    .appendingPathComponent("\(number)-\(assertion.type.name).assert")
            try Data(AssertionStream.encode([assertion])).write(to: file)
        }
        // A UC20+ system lists its snaps in the model itself, and what differs from it (grade
        // dangerous) in `options.yaml`, as snapd's `Options20` writes it; `seed.yaml` is series 16's.
        if isExtended {
            if !options.isEmpty {
                var yaml = "snaps:\n"
                for option in options {
                    yaml += "- name: \(option.name)\n  id: \(option.id)\n  channel: \(option.channel)\n"
                }
                try Data(yaml.utf8).write(to: seed.appendingPathComponent("systems/\(label)/options.yaml"))
            }
            return entries
        }
        var yaml = "snaps:\n"
        for entry in entries {
            yaml += "  - name: \(entry.name)\n    snap-id: \(entry.snapID)\n    channel: \(entry.channel)\n"
            yaml += "    file: \(entry.file)\n"
        }
        try Data(yaml.utf8).write(to: seed.appendingPathComponent("seed.yaml"))
        return entries
    }

    /// snapd's rules for the snaps that boot the device (`seedwriter` and `bootloader.ForGadget`).
    private func checkBootSnap(_ snap: SnapFile, declaration: Assertion?) throws {
        let kind: String
        switch snap.metadata.type {
        case .kernel: kind = "kernel"
        case .gadget: kind = "gadget"
        default: return
        }
        let publisher = declaration?.string("publisher-id") ?? ""
        guard publisher == model.brandID || publisher == "canonical" else {
            throw DeviceAgentError(
                "cannot use \(kind) \"\(snap.metadata.name)\" published by \"\(publisher)\" for model by "
                    + "\"\(model.brandID)\": the brand (or canonical) must publish the model's \(kind)")
        }
        guard kind == "gadget", !model.isClassic else { return }
        guard snap.gadget != nil else {
            throw DeviceAgentError("gadget \(snap.metadata.name) has no meta/gadget.yaml")
        }
        let image = try SquashfsImage(path: snap.path)
        let markers = ["uboot", "grub", "androidboot", "lk", "piboot"].map { "\($0).conf" }
        guard markers.contains(where: { (try? image.readFile(atPath: $0, limit: 1 << 20)) != nil }) else {
            throw DeviceAgentError(
                "gadget \(snap.metadata.name) has no bootloader marker at its root (one of "
                    + "\(markers.joined(separator: ", "))): snapd could not tell which bootloader the device uses")
        }
    }

    /// Resolves a snap as a device of the model would, downloads it, and checks it against its assertions.
    private func fetchSnap(name: String, channel: String, into folder: URL, trust: TrustDatabase) async throws
        -> (Entry, SnapFile, [Assertion])
    {
        let download = VerifiedSnapDownload(
            connection: connection, trust: trust, progress: progress, finished: finished)
        let fetched = try await download.fetch(name: name, channel: channel, into: folder)
        let entry = Entry(
            name: name, snapID: fetched.snapID, revision: fetched.revision, channel: channel, file: fetched.file)
        return (entry, fetched.snap, fetched.assertions)
    }
}
