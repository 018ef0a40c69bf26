import Assertions
import Yams

extension SnapMetadata {
    /// Parses and validates `meta/snap.yaml` with snapd's rules (`snap/info_snap_yaml.go`,
    /// `snap/validate.go`): unknown keys are ignored; names, version, type, epoch, confinement,
    /// base, provenance, apps, hooks, plugs and slots are checked.
    public static func parse(yaml text: String) throws(SnapFileError) -> SnapMetadata {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw SnapFileError(.invalidMetadata, "cannot parse snap.yaml: \(error)")
        }
        guard let node, let map = node.mapping else {
            throw SnapFileError(.invalidMetadata, "cannot parse snap.yaml: it is not a map of keys to values")
        }
        let fields = YAMLFields(map)
        if fields.has("layouts") {
            throw SnapFileError(
                .invalidMetadata,
                "cannot parse snap.yaml: typo detected: use singular \"layout\" instead of plural \"layouts\"")
        }
        let name = try fields.string("name") ?? ""
        let version = try fields.string("version") ?? ""
        let typeText = try fields.string("type") ?? ""
        var type: SnapType
        if typeText.isEmpty {
            type = .app
        } else if typeText == "application" {
            type = .app
        } else if let known = SnapType(rawValue: typeText) {
            type = known
        } else {
            throw SnapFileError(.invalidMetadata, "cannot parse snap.yaml: invalid snap type: \"\(typeText)\"")
        }
        if name == "snapd" { type = .snapd }
        let confinementText = try fields.string("confinement") ?? ""
        guard let confinement = confinementText.isEmpty ? .strict : Confinement(rawValue: confinementText) else {
            throw SnapFileError(
                .invalidMetadata, "cannot parse snap.yaml: invalid confinement type: \"\(confinementText)\"")
        }
        let architectures = try fields.stringList("architectures")
        let metadata = SnapMetadata(
            name: name, version: version, type: type, base: try fields.string("base") ?? "",
            architectures: architectures.isEmpty ? ["all"] : architectures, epoch: try fields.epoch(),
            confinement: confinement, grade: try fields.string("grade"),
            provenance: try fields.string("provenance").flatMap { $0.isEmpty ? nil : $0 } ?? defaultProvenance,
            summary: try fields.string("summary") ?? "", description: try fields.string("description") ?? "",
            title: try fields.string("title") ?? "", license: try fields.string("license") ?? "",
            assumes: try fields.stringList("assumes").sorted(), apps: try fields.keys("apps"),
            hooks: try fields.keys("hooks"), plugs: try fields.keys("plugs"), slots: try fields.keys("slots"),
            rawYAML: text)
        try metadata.validate()
        return metadata
    }

    /// snapd's `snap.Validate`, for the fields the store reads.
    func validate() throws(SnapFileError) {
        func invalid(_ message: String) -> SnapFileError { SnapFileError(.invalidMetadata, message) }
        guard !name.isEmpty else { throw invalid("snap name cannot be empty") }
        if provenance != Self.defaultProvenance && !NameRule.dashedAlphanumeric.matches(provenance) {
            throw invalid("invalid provenance: \(HeaderQuote.quote(provenance))")
        }
        guard NameRule.snapName.matches(name) else { throw invalid("invalid snap name: \(HeaderQuote.quote(name))") }
        guard title.unicodeScalars.count <= 40 else {
            throw invalid("title can have up to 40 codepoints, got \(title.unicodeScalars.count)")
        }
        guard description.unicodeScalars.count <= 4096 else {
            throw invalid("description can have up to 4096 codepoints, got \(description.unicodeScalars.count)")
        }
        try Self.validateVersion(version)
        try epoch.validate()
        for app in apps where !NameRule.dashedAlphanumeric.matches(app) {
            throw invalid(
                "cannot have \(HeaderQuote.quote(app)) as app name - use letters, digits, and dash as separator")
        }
        for hook in hooks where !Self.isLowerDashedName(hook) {
            throw invalid("invalid hook name: \(HeaderQuote.quote(hook))")
        }
        for plug in plugs where !Self.isLowerDashedName(plug) {
            throw invalid("invalid plug name: \(HeaderQuote.quote(plug))")
        }
        for slot in slots where !Self.isLowerDashedName(slot) {
            throw invalid("invalid slot name: \(HeaderQuote.quote(slot))")
        }
        for clash in Set(plugs).intersection(slots).sorted() {
            throw invalid("cannot have plug and slot with the same name: \(HeaderQuote.quote(clash))")
        }
        if (type == .os || type == .base) && !base.isEmpty && base != "none" {
            throw invalid(
                "cannot have \"base\" field on \(HeaderQuote.quote(type.rawValue)) snap \(HeaderQuote.quote(name))")
        }
        if base == "none" && (!hooks.isEmpty || !apps.isEmpty) {
            throw invalid("cannot have apps or hooks with base \"none\"")
        }
        if !base.isEmpty {
            if base.contains("_") {
                throw invalid("base cannot specify a snap instance name: \(HeaderQuote.quote(base))")
            }
            if base != "none" && !NameRule.snapName.matches(base) {
                throw invalid("invalid base name: invalid snap name: \(HeaderQuote.quote(base))")
            }
        }
        for architecture in architectures
        where architecture.isEmpty || architecture.contains(where: { $0 == "/" || $0 == " " }) {
            throw invalid("invalid architecture: \(HeaderQuote.quote(architecture))")
        }
        if let grade, grade != "stable" && grade != "devel" {
            throw invalid("grade must be \"stable\" or \"devel\", not \(HeaderQuote.quote(grade))")
        }
    }

    /// `^[a-zA-Z0-9](?:[a-zA-Z0-9:.+~-]{0,30}[a-zA-Z0-9+~])?$`, with snapd's explanations.
    static func validateVersion(_ version: String) throws(SnapFileError) {
        let bytes = Array(version.utf8)
        func alphanumeric(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a)
        }
        let middleAllowed: (UInt8) -> Bool = { alphanumeric($0) || [0x3a, 0x2e, 0x2b, 0x7e, 0x2d].contains($0) }
        let lastAllowed: (UInt8) -> Bool = { alphanumeric($0) || $0 == 0x2b || $0 == 0x7e }
        if let first = bytes.first, alphanumeric(first), bytes.count <= 32,
            bytes.count == 1
                || (lastAllowed(bytes[bytes.count - 1]) && bytes.dropFirst().dropLast().allSatisfy(middleAllowed))
        {
            return
        }
        guard !bytes.isEmpty else { throw SnapFileError(.invalidMetadata, "invalid snap version: cannot be empty") }
        guard bytes.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw SnapFileError(
                .invalidMetadata,
                "invalid snap version \(HeaderQuote.quote(version)): must be printable, non-whitespace ASCII")
        }
        var reasons: [String] = []
        if bytes.count > 32 { reasons.append("cannot be longer than 32 characters (got: \(bytes.count))") }
        if !alphanumeric(bytes[0]) {
            reasons.append("must start with an ASCII alphanumeric (and not '\(Character(UnicodeScalar(bytes[0])))')")
        }
        if bytes.count > 1, let last = bytes.last, !lastAllowed(last) {
            reasons.append(
                "must end with an ASCII alphanumeric or one of '+' or '~' (and not '\(Character(UnicodeScalar(last)))')"
            )
        }
        if bytes.count > 2 {
            let bad = bytes.dropFirst().dropLast().filter { !middleAllowed($0) }
            if !bad.isEmpty {
                reasons.append(
                    "contains invalid characters: \(HeaderQuote.quote(String(decoding: bad, as: UTF8.self)))")
            }
        }
        throw SnapFileError(
            .invalidMetadata, "invalid snap version \(HeaderQuote.quote(version)): \(reasons.joined(separator: ", "))")
    }

    /// The hook names snapd knows (`snap/hooktypes.go`).
    static func isSupportedHook(_ name: String) -> Bool {
        let fixed: Set<String> = [
            "prepare-device", "install-device", "configure", "install", "pre-refresh", "post-refresh", "remove",
            "check-health", "fde-setup", "gate-auto-refresh",
        ]
        if fixed.contains(name) { return true }
        for prefix in ["prepare-", "unprepare-", "connect-", "disconnect-"] where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            for side in ["plug-", "slot-"] where rest.hasPrefix(side) {
                let suffix = rest.dropFirst(side.count)
                return !suffix.isEmpty
                    && suffix.utf8.allSatisfy { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2d }
            }
        }
        return false
    }

    /// `^[a-z](?:-?[a-z0-9])*$` (hooks, plugs, slots, interfaces).
    static func isLowerDashedName(_ name: String) -> Bool {
        guard let first = name.utf8.first, first >= 0x61, first <= 0x7a else { return false }
        return NameRule.dashedLowerAlphanumeric.matches(name)
    }
}

enum HeaderQuote {
    static func quote(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

/// Typed reads of snap.yaml's top-level keys.
struct YAMLFields {
    let map: Node.Mapping

    init(_ map: Node.Mapping) {
        self.map = map
    }

    func has(_ key: String) -> Bool { map[Node(key)] != nil }

    func string(_ key: String) throws(SnapFileError) -> String? {
        guard let value = map[Node(key)] else { return nil }
        if value.scalar?.style == .plain, ["~", "null", "Null", "NULL", ""].contains(value.scalar?.string ?? "-") {
            return nil
        }
        guard let scalar = value.scalar else {
            throw SnapFileError(.invalidMetadata, "cannot parse snap.yaml: \"\(key)\" must be a string")
        }
        return scalar.string
    }

    func stringList(_ key: String) throws(SnapFileError) -> [String] {
        guard let value = map[Node(key)] else { return [] }
        guard let sequence = value.sequence else {
            throw SnapFileError(.invalidMetadata, "cannot parse snap.yaml: \"\(key)\" must be a list of strings")
        }
        var result: [String] = []
        for item in sequence {
            guard let text = item.scalar?.string else {
                throw SnapFileError(.invalidMetadata, "cannot parse snap.yaml: \"\(key)\" must be a list of strings")
            }
            result.append(text)
        }
        return result
    }

    /// The keys of a map-valued field (apps, hooks, plugs, slots), sorted.
    func keys(_ key: String) throws(SnapFileError) -> [String] {
        guard let value = map[Node(key)] else { return [] }
        if value.scalar?.style == .plain, value.scalar?.string == "" || value.scalar?.string == "~" { return [] }
        guard let mapping = value.mapping else {
            throw SnapFileError(.invalidMetadata, "cannot parse snap.yaml: \"\(key)\" must be a map")
        }
        var names: [String] = []
        for name in mapping.keys {
            guard let text = name.scalar?.string else {
                throw SnapFileError(.invalidMetadata, "cannot parse snap.yaml: \"\(key)\" names must be strings")
            }
            names.append(text)
        }
        return names.sorted()
    }

    func epoch() throws(SnapFileError) -> Epoch {
        guard let value = map[Node("epoch")] else { return .zero }
        if let scalar = value.scalar { return try Epoch.parse(scalar.string) }
        guard let mapping = value.mapping else {
            throw SnapFileError(.invalidMetadata, "cannot parse snap.yaml: epoch must be a number or a read/write map")
        }
        func list(_ key: String) throws(SnapFileError) -> [UInt32]? {
            guard let entry = mapping[Node(key)] else { return nil }
            guard let sequence = entry.sequence else {
                throw SnapFileError(.invalidMetadata, "epoch read/write attributes must be lists of epoch numbers")
            }
            var numbers: [UInt32] = []
            for item in sequence {
                guard let text = item.scalar?.string else {
                    throw SnapFileError(.invalidMetadata, "epoch read/write attributes must be lists of epoch numbers")
                }
                numbers.append(try Epoch.parseNumber(text))
            }
            return numbers
        }
        return try Epoch.structured(read: try list("read"), write: try list("write"))
    }
}
