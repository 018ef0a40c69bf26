/// Works out the lowest snap-declaration format that can carry its `plugs` and `slots` rules, as
/// snapd's `snapDeclarationFormatAnalyze` does from the features the rules use
/// (`asserts/ifacedecls.go`, `asserts/constraint.go`):
/// any rule → 1; `$SLOT()`/`$PLUG()`/`$MISSING` attribute constraints → 2; `on-store`/`on-brand`/
/// `on-model` → 3; `plug-names`/`slot-names` → 4; lists of alternative attribute values → 5.
enum InterfaceRuleFeatures {
    static let constraintSections = [
        "allow-installation", "deny-installation", "allow-connection", "deny-connection",
        "allow-auto-connection", "deny-auto-connection",
    ]

    static func minimumFormat(_ headers: Headers) throws(AssertionError) -> Int {
        guard headers["plugs"] != nil || headers["slots"] != nil else { return 0 }
        var format = 1
        for side in ["plugs", "slots"] {
            guard let value = headers[side] else { continue }
            guard let rules = value.mapValue else {
                throw AssertionError(.invalid, "\"\(side)\" header must be a map")
            }
            for rule in rules.values {
                format = max(format, ruleFormat(rule))
            }
        }
        return format
    }

    private static func ruleFormat(_ rule: HeaderValue) -> Int {
        guard let sections = rule.mapValue else { return 1 }
        var format = 1
        for section in constraintSections {
            guard let value = sections[section] else { continue }
            let alternatives = value.listValue ?? [value]
            for case .map(let constraints) in alternatives {
                format = max(format, constraintFormat(constraints))
            }
        }
        return format
    }

    private static func constraintFormat(_ constraints: [String: HeaderValue]) -> Int {
        var format = 1
        if constraints.keys.contains(where: { ["on-store", "on-brand", "on-model"].contains($0) }) {
            format = max(format, 3)
        }
        if constraints.keys.contains(where: { ["plug-names", "slot-names"].contains($0) }) {
            format = max(format, 4)
        }
        for side in ["plug-attributes", "slot-attributes"] {
            if let attributes = constraints[side] {
                format = max(format, attributeFormat(attributes))
            }
        }
        return format
    }

    private static func attributeFormat(_ value: HeaderValue) -> Int {
        switch value {
        case .string(let text):
            return text.hasPrefix("$") ? 2 : 1
        case .list(let alternatives):
            return alternatives.reduce(5) { max($0, attributeFormat($1)) }
        case .map(let entries):
            return entries.values.reduce(1) { max($0, attributeFormat($1)) }
        }
    }
}
