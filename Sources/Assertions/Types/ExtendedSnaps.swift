/// The `snaps` header of a UC20+ model (`asserts/model.go` `checkExtendedSnaps`).
struct ExtendedSnaps {
    var gadget: Model.Snap?
    var kernel: Model.Snap?
    var base: Model.Snap?
    var snapd: Model.Snap?
    var others: [Model.Snap] = []

    private static let types = ["app", "base", "gadget", "kernel", "core", "snapd"]
    private static let listError = AssertionError(.invalid, "\"snaps\" header must be a list of maps")

    init(_ value: HeaderValue?, base: String, grade: Model.Grade) throws(AssertionError) {
        guard let entries = value?.listValue else { throw Self.listError }
        var seenNames: Set<String> = []
        var seenIDs: [String: String] = [:]
        for entry in entries {
            guard let map = entry.mapValue else { throw Self.listError }
            var snap = try Self.snap(map, grade: grade)
            guard seenNames.insert(snap.name).inserted else {
                throw AssertionError(.invalid, "cannot list the same snap \"\(snap.name)\" multiple times")
            }
            if !snap.snapID.isEmpty {
                if let other = seenIDs[snap.snapID] {
                    throw AssertionError(
                        .invalid,
                        "cannot specify the same snap id \"\(snap.snapID)\" multiple times, specified for snaps \"\(other)\" and \"\(snap.name)\""
                    )
                }
                seenIDs[snap.snapID] = snap.name
            }
            var essential = true
            switch snap.type {
            case "snapd":
                if let existing = snapd { throw Self.multiple("snapd", existing.name, snap.name) }
            case "kernel":
                if let existing = kernel { throw Self.multiple("kernel", existing.name, snap.name) }
            case "gadget":
                if let existing = gadget { throw Self.multiple("gadget", existing.name, snap.name) }
            default:
                if snap.name == base {
                    guard snap.type == "base" else {
                        throw AssertionError(
                            .invalid, "boot base \"\(base)\" must specify type \"base\", not \"\(snap.type)\"")
                    }
                } else {
                    essential = false
                }
            }
            if essential {
                if !snap.modes.isEmpty || !snap.presence.isEmpty {
                    throw AssertionError(
                        .invalid,
                        "essential snaps are always available, cannot specify modes or presence for snap \"\(snap.name)\""
                    )
                }
                snap = snap.with(modes: ["run", "ephemeral"], presence: "required")
            } else {
                snap = snap.with(
                    modes: snap.modes.isEmpty ? ["run"] : snap.modes,
                    presence: snap.presence.isEmpty ? "required" : snap.presence)
            }
            switch snap.type {
            case "snapd": snapd = snap
            case "kernel": kernel = snap
            case "gadget": gadget = snap
            default:
                if essential { self.base = snap } else { others.append(snap) }
            }
        }
    }

    private static func multiple(_ type: String, _ first: String, _ second: String) -> AssertionError {
        AssertionError(.invalid, "cannot specify multiple \(type) snaps: \"\(first)\" and \"\(second)\"")
    }

    private static func snap(_ map: [String: HeaderValue], grade: Model.Grade) throws(AssertionError) -> Model.Snap {
        let name = try HeaderChecks(map, what: "of snap").notEmptyString("name")
        guard NameRule.snapName.matches(name) else {
            throw AssertionError(.invalid, "invalid snap name \"\(name)\"")
        }
        let checks = HeaderChecks(map, what: "of snap \"\(name)\"")
        var snapID = ""
        if checks.has("id") {
            snapID = try checks.string("id", matching: .snapID)
        } else if grade != .dangerous {
            throw AssertionError(.invalid, "\"id\" of snap \"\(name)\" is mandatory for \(grade.rawValue) grade model")
        }
        let type = try checks.optionalString("type").flatMap { $0.isEmpty ? nil : $0 } ?? "app"
        guard types.contains(type) else {
            throw AssertionError(.invalid, "type of snap \"\(name)\" must be one of \(types.joined(separator: "|"))")
        }
        let modes = try checks.stringList(
            "modes", matching: .mode, description: "\"modes\" of snap \"\(name)\"")
        let channel = try checks.optionalString("default-channel").flatMap { $0.isEmpty ? nil : $0 } ?? "latest/stable"
        try checkDefaultChannel(channel, snap: name)
        let presence = try checks.optionalString("presence") ?? ""
        guard presence.isEmpty || presence == "required" || presence == "optional" else {
            throw AssertionError(.invalid, "presence of snap \"\(name)\" must be one of required|optional")
        }
        return Model.Snap(
            name: name, snapID: snapID, type: type, defaultChannel: channel, pinnedTrack: "", presence: presence,
            modes: modes)
    }

    /// snapd parses it with `channel.ParseVerbatim` and requires a track.
    private static func checkDefaultChannel(_ channel: String, snap: String) throws(AssertionError) {
        let risks = ["stable", "candidate", "beta", "edge"]
        let parts = channel.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let invalid = { (reason: String) in
            AssertionError(.invalid, "invalid default channel for snap \"\(snap)\": \(reason)")
        }
        guard parts.count <= 3 else { throw invalid("channel name has too many components: \(channel)") }
        var track = ""
        var risk = ""
        var branch: String?
        switch parts.count {
        case 3: (track, risk, branch) = (parts[0], parts[1], parts[2])
        case 2:
            if risks.contains(parts[0]) {
                (risk, branch) = (parts[0], parts[1])
            } else {
                (track, risk) = (parts[0], parts[1])
            }
        default:
            if risks.contains(parts[0]) { risk = parts[0] } else { track = parts[0] }
        }
        if parts.count > 1 || risks.contains(parts[0]) {
            guard risks.contains(risk) else { throw invalid("invalid risk in channel name: \(channel)") }
        }
        if parts.count == 3 || (parts.count == 2 && !risks.contains(parts[0])) || parts.count == 1 {
            if !risks.contains(parts[0]) && track.isEmpty {
                throw invalid("invalid track in channel name: \(channel)")
            }
        }
        if let branch, branch.isEmpty { throw invalid("invalid branch in channel name: \(channel)") }
        guard !track.isEmpty else {
            throw AssertionError(.invalid, "default channel for snap \"\(snap)\" must specify a track")
        }
    }
}

extension Model.Snap {
    func with(modes: [String], presence: String) -> Model.Snap {
        Model.Snap(
            name: name, snapID: snapID, type: type, defaultChannel: defaultChannel, pinnedTrack: pinnedTrack,
            presence: presence, modes: modes)
    }
}
