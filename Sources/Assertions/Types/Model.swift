/// `model`: what a device is, signed by its brand (`asserts/model.go`). Three forms: series-16
/// Ubuntu Core (`gadget`, `kernel`, `required-snaps`), series-16 classic (`classic: true`), and
/// the UC20+ extended form (`snaps`, `grade`, `storage-safety`).
public struct Model: Sendable {
    public enum Grade: String, Sendable {
        case secured, signed, dangerous
    }

    public enum Form: Sendable, Equatable {
        case core
        case classic
        case extended
    }

    /// One snap of the model, as listed or implied.
    public struct Snap: Sendable, Equatable {
        public let name: String
        public let snapID: String
        public let type: String
        public let defaultChannel: String
        public let pinnedTrack: String
        public let presence: String
        public let modes: [String]
    }

    public let assertion: Assertion
    public let form: Form
    public let grade: Grade?
    public let storageSafety: String?
    public let gadget: Snap?
    public let kernel: Snap?
    public let base: Snap?
    /// Every snap that is neither gadget, kernel, base nor snapd.
    public let otherSnaps: [Snap]
    public let snapd: Snap?
    public let serialAuthority: [String]
    /// nil means any account (`*`).
    public let systemUserAuthority: [String]?
    public let timestamp: Timestamp

    public init(_ assertion: Assertion) throws(AssertionError) {
        let headers = assertion.headers
        let checks = HeaderChecks(headers)
        let brandID = assertion.string("brand-id")
        guard assertion.authorityID == brandID else {
            throw AssertionError(
                .invalid,
                "authority-id and brand-id must match, model assertions are expected to be signed by the brand: \"\(assertion.authorityID)\" != \"\(brandID)\""
            )
        }
        _ = try Self.checkModelName(checks)
        let classic = try checks.optionalBool("classic")
        let extended = headers["snaps"] != nil
        if extended {
            for conflicting in ["gadget", "kernel", "required-snaps"] where headers[conflicting] != nil {
                throw AssertionError(
                    .invalid, "cannot specify separate \"\(conflicting)\" header once using the extended snaps header")
            }
        } else {
            if headers["grade"] != nil {
                throw AssertionError(.invalid, "cannot specify a grade for model without the extended snaps header")
            }
            if headers["storage-safety"] != nil {
                throw AssertionError(
                    .invalid, "cannot specify storage-safety for model without the extended snaps header")
            }
        }
        if classic && !extended {
            if headers["kernel"] != nil {
                throw AssertionError(.invalid, "cannot specify a kernel with a non-extended classic model")
            }
            if headers["base"] != nil {
                throw AssertionError(.invalid, "cannot specify a base with a non-extended classic model")
            }
        }
        if classic && extended {
            do {
                _ = try checks.string("distribution", matching: .distribution)
            } catch {
                throw AssertionError(.invalid, "\(error.message), see distribution ID in os-release spec")
            }
        } else if headers["distribution"] != nil {
            throw AssertionError(
                .invalid,
                "cannot specify distribution for model unless it is classic and has an extended snaps header")
        }
        if extended {
            for name in ["architecture", "base"] { _ = try checks.notEmptyString(name) }
        } else if classic {
            for name in ["architecture", "gadget"] { _ = try checks.optionalString(name) }
        } else {
            for name in ["architecture", "gadget", "kernel"] { _ = try checks.notEmptyString(name) }
        }
        var baseSnap: Snap?
        if let base = try checks.optionalString("base"), !base.isEmpty {
            try Self.checkSnapName(base, header: "base")
            baseSnap = Snap(
                name: base, snapID: "", type: "base", defaultChannel: "", pinnedTrack: "", presence: "required",
                modes: ["run"])
        }
        _ = try checks.optionalString("store")
        _ = try checks.optionalString("display-name")

        if extended {
            form = .extended
            let gradeText = try checks.optionalString("grade") ?? ""
            guard gradeText.isEmpty || Grade(rawValue: gradeText) != nil else {
                throw AssertionError(
                    .invalid, "grade for model must be secured|signed|dangerous, not \"\(gradeText)\"")
            }
            let grade = Grade(rawValue: gradeText) ?? .signed
            let safetyText = try checks.optionalString("storage-safety") ?? ""
            let safeties = ["encrypted", "prefer-encrypted", "prefer-unencrypted"]
            guard safetyText.isEmpty || safeties.contains(safetyText) else {
                throw AssertionError(
                    .invalid,
                    "storage-safety for model must be encrypted|prefer-encrypted|prefer-unencrypted, not \"\(safetyText)\""
                )
            }
            let safety = safetyText.isEmpty ? (grade == .secured ? "encrypted" : "prefer-encrypted") : safetyText
            if grade == .secured && safety != "encrypted" {
                throw AssertionError(
                    .invalid,
                    "secured grade model must not have storage-safety overridden, only \"encrypted\" is valid")
            }
            self.grade = grade
            self.storageSafety = safety
            let snaps = try ExtendedSnaps(headers["snaps"], base: baseSnap?.name ?? "", grade: grade)
            guard let gadget = snaps.gadget else {
                throw AssertionError(.invalid, "one \"snaps\" header entry must specify the model gadget")
            }
            guard let kernel = snaps.kernel else {
                throw AssertionError(.invalid, "one \"snaps\" header entry must specify the model kernel")
            }
            if let listedBase = snaps.base {
                base = listedBase
            } else if let implied = baseSnap {
                let wellKnown = WellKnownSnaps.id(of: implied.name) ?? ""
                if wellKnown.isEmpty && grade != .dangerous {
                    throw AssertionError(
                        .invalid,
                        "cannot specify not well-known base \"\(implied.name)\" without a corresponding \"snaps\" header entry"
                    )
                }
                base = Snap(
                    name: implied.name, snapID: wellKnown, type: "base", defaultChannel: "latest/stable",
                    pinnedTrack: "", presence: "required", modes: ["run", "ephemeral"])
            } else {
                base = nil
            }
            self.gadget = gadget
            self.kernel = kernel
            self.snapd = snaps.snapd
            self.otherSnaps = snaps.others
        } else {
            form = classic ? .classic : .core
            grade = nil
            storageSafety = nil
            base = baseSnap
            kernel = try Self.snapWithTrack(checks, "kernel")
            gadget = try Self.snapWithTrack(checks, "gadget")
            snapd = nil
            var others: [Snap] = []
            for name in try checks.stringList("required-snaps") {
                try Self.checkSnapName(name, header: "required-snaps")
                others.append(
                    Snap(
                        name: name, snapID: "", type: "", defaultChannel: "", pinnedTrack: "", presence: "required",
                        modes: ["run"]))
            }
            otherSnaps = others
        }
        serialAuthority = try Self.serialAuthority(checks, brandID: brandID)
        systemUserAuthority = try Self.systemUserAuthority(checks, brandID: brandID)
        timestamp = try checks.date("timestamp")
        self.assertion = assertion
    }

    public var series: String { assertion.string("series") }
    public var brandID: String { assertion.string("brand-id") }
    public var model: String { assertion.string("model") }
    public var architecture: String { assertion.string("architecture") }
    public var store: String { assertion.string("store") }
    public var displayName: String { assertion.string("display-name") }
    public var isClassic: Bool { form == .classic || assertion.string("classic") == "true" }

    /// Models are lower-case dashed alphanumerics.
    static func checkModelName(_ checks: HeaderChecks) throws(AssertionError) -> String {
        let name = try checks.string("model", matching: .dashedAlphanumeric)
        guard name.lowercased() == name else {
            throw AssertionError(.invalid, "\"model\" header cannot contain uppercase letters")
        }
        return name
    }

    static func checkSnapName(_ name: String, header: String) throws(AssertionError) {
        guard NameRule.snapName.matches(name) else {
            throw AssertionError(.invalid, "invalid snap name in \"\(header)\" header: \(name)")
        }
    }

    /// `gadget` and `kernel` of the series-16 form: `name` or `name=track`, the track not a risk.
    private static func snapWithTrack(_ checks: HeaderChecks, _ header: String) throws(AssertionError) -> Snap? {
        guard let value = checks.values[header] else { return nil }
        guard let text = value.stringValue else {
            throw AssertionError(.invalid, "\"\(header)\" header must be a string")
        }
        let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let name = String(parts[0])
        try checkSnapName(name, header: header)
        var track = ""
        if parts.count > 1 {
            track = String(parts[1])
            if track.contains("/") {
                throw AssertionError(.invalid, "\"\(header)\" channel selector must be a track name only")
            }
            if ["stable", "candidate", "beta", "edge"].contains(track) {
                throw AssertionError(.invalid, "\"\(header)\" channel selector must be a track name")
            }
        }
        return Snap(
            name: name, snapID: "", type: header, defaultChannel: "", pinnedTrack: track, presence: "required",
            modes: ["run"])
    }

    private static func serialAuthority(_ checks: HeaderChecks, brandID: String) throws(AssertionError) -> [String] {
        guard checks.has("serial-authority") else { return [brandID] }
        guard let list = try? checks.stringList("serial-authority", matching: .accountID) else {
            throw AssertionError(.invalid, "\"serial-authority\" header must be a list of account ids")
        }
        return list.contains(brandID) ? list : [brandID] + list
    }

    private static func systemUserAuthority(_ checks: HeaderChecks, brandID: String) throws(AssertionError)
        -> [String]?
    {
        guard let value = checks.values["system-user-authority"] else { return [brandID] }
        if value.stringValue == "*" { return nil }
        if value.listValue != nil, let list = try? checks.stringList("system-user-authority", matching: .accountID) {
            return list.contains(brandID) ? list : [brandID] + list
        }
        throw AssertionError(.invalid, "\"system-user-authority\" header must be '*' or a list of account ids")
    }
}

/// snapd's well-known snap ids (`snap/naming/wellknown.go`): UC20+ models may leave these bases out.
public enum WellKnownSnaps {
    public static let ids: [String: String] = [
        "core": "99T7MUlRhtI3U0QFgl5mXXESAiSwt776",
        "snapd": "PMrrV4ml8uWuEUDBT8dSGnKUYbevVhc4",
        "core18": "CSO04Jhav2yK0uz97cr0ipQRyqg0qQL6",
        "core20": "DLqre5XGLbDqg9jPtiAhRRjDuPVa5X1q",
        "core22": "amcUKQILKXHHTlmSa7NMdnXSx02dNeeT",
    ]

    public static func id(of name: String) -> String? {
        ids[name]
    }
}

extension AssertionType {
    public static let model: AssertionType = AssertionType(
        name: "model", primaryKey: ["series", "brand-id", "model"],
        validate: { assertion throws(AssertionError) in _ = try Model(assertion) })
}
