import Foundation
import Yams

/// A rehearsal's timeline (`fleet run --scenario FILE`): what the release manager does and when,
/// and what must then be true of the fleet. Read from YAML; every step is checked as it is read,
/// so a typo is an error naming the step before any device starts.
///
///     name: corrupted-download-halts
///     devices: 5000
///     snap: myawesomesnap
///     steps:
///       - release: {revision: 2, progressive: 10, halt-at: 1%, min-attempts: 20}
///       - fault: {kind: corrupt, revision: 2, devices: 1}
///       - wait: 1d
///       - expect: {rollout: halted}
public struct Scenario: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        case release(Release)
        case fault(Fault)
        case clearFaults
        case group(Group)
        /// Simulated time to let pass, in seconds.
        case wait(TimeInterval)
        case expect(Expectation)
    }

    public struct Release: Sendable, Equatable {
        public var snap: String
        public var revision: Int
        public var channel: String
        public var progressive: Double?
        public var group: String?
        public var haltAt: String?
        public var minAttempts: Int?
    }

    /// A fault as `snapdepot faults add` takes it.
    public struct Fault: Sendable, Equatable {
        public var kind: String
        public var endpoint: String?
        public var snap: String?
        public var revision: Int?
        public var group: String?
        public var devicePercent: Double?
        public var chance: Double?
        public var times: Int?
        public var status: Int?
        public var delayMilliseconds: Int?
        public var afterBytes: Int?
        public var bytesPerSecond: Int?
    }

    /// A group of a share of the fleet's devices, tagged with its name.
    public struct Group: Sendable, Equatable {
        public var name: String
        public var devicePercent: Double
    }

    public enum Expectation: Sendable, Equatable {
        /// At least `percent` of the devices run `revision` of the scenario's snap, by `by` seconds
        /// of simulated time from the start.
        case revisionShare(revision: Int, atLeastPercent: Double, by: TimeInterval?)
        /// The snap's rollout is in this state: `halted`, `rolling` or `none`.
        case rollout(String)
        /// No device is left without a current, verified revision of every snap.
        case everyDeviceWorking
    }

    public var name: String
    public var devices: Int
    public var snap: String
    public var steps: [Step]

    static let fault = ["status", "delay", "cut", "throttle", "corrupt", "fail-check-health"]
    static let stepNames = ["release", "fault", "clear-faults", "group", "wait", "expect"]

    /// Reads a scenario file.
    public static func read(_ path: String) throws -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError("cannot read \(path)")
        }
        do {
            return try parse(String(decoding: data, as: UTF8.self))
        } catch let error as ScenarioError {
            throw ScenarioError("\(path): \(error.description)")
        }
    }

    public static func parse(_ text: String) throws -> Scenario {
        let loaded: Any?
        do {
            loaded = try Yams.load(yaml: text)
        } catch {
            throw ScenarioError("not YAML: \(error)")
        }
        guard let top = loaded as? [String: Any] else { throw ScenarioError("a scenario is a mapping") }
        let known: Set = ["name", "devices", "snap", "steps"]
        if let unknown = top.keys.first(where: { !known.contains($0) }) {
            throw ScenarioError("unknown key \"\(unknown)\": a scenario has name, devices, snap and steps")
        }
        guard let name = top["name"] as? String, !name.isEmpty else { throw ScenarioError("a scenario needs a name") }
        guard let snap = top["snap"] as? String, !snap.isEmpty else {
            throw ScenarioError("a scenario names the snap it rolls out (snap:)")
        }
        let devices = top["devices"] as? Int ?? 100
        guard devices > 0 else { throw ScenarioError("devices must be at least 1, not \(devices)") }
        guard let list = top["steps"] as? [Any], !list.isEmpty else { throw ScenarioError("a scenario needs steps") }
        var steps: [Step] = []
        for (index, item) in list.enumerated() {
            do {
                steps.append(try step(item, snap: snap))
            } catch let error as ScenarioError {
                throw ScenarioError("step \(index + 1): \(error.description)")
            }
        }
        return Scenario(name: name, devices: devices, snap: snap, steps: steps)
    }

    static func step(_ item: Any, snap: String) throws -> Step {
        guard let mapping = item as? [String: Any], mapping.count == 1, let (kind, value) = mapping.first else {
            throw ScenarioError("a step is one of \(stepNames.joined(separator: ", ")), as a one-key mapping")
        }
        let fields = Fields(kind, value)
        switch kind {
        case "release":
            let release = Release(
                snap: try fields.string("snap") ?? snap,
                revision: try fields.required(fields.int("revision"), "revision"),
                channel: try fields.string("channel") ?? "stable", progressive: try fields.percent("progressive"),
                group: try fields.string("to"), haltAt: try fields.string("halt-at"),
                minAttempts: try fields.int("min-attempts"))
            try fields.onlyUsed()
            return .release(release)
        case "fault":
            let kind = try fields.required(fields.string("kind"), "kind")
            guard Self.fault.contains(kind) else {
                throw ScenarioError("unknown fault kind \"\(kind)\": \(Self.fault.joined(separator: ", "))")
            }
            let fault = Fault(
                kind: kind, endpoint: try fields.string("endpoint"), snap: try fields.string("snap") ?? snap,
                revision: try fields.int("revision"), group: try fields.string("group"),
                devicePercent: try fields.percent("devices"), chance: try fields.percent("chance"),
                times: try fields.int("times"), status: try fields.int("status"),
                delayMilliseconds: try fields.int("delay-ms"), afterBytes: try fields.int("after-bytes"),
                bytesPerSecond: try fields.int("rate"))
            try fields.onlyUsed()
            return .fault(fault)
        case "clear-faults":
            return .clearFaults
        case "group":
            let group = Group(
                name: try fields.required(fields.string("name"), "name"),
                devicePercent: try fields.required(fields.percent("devices"), "devices"))
            try fields.onlyUsed()
            return .group(group)
        case "wait":
            guard let text = value as? String ?? (value as? Int).map({ "\($0)s" }) else {
                throw ScenarioError("wait takes a duration like 90m, 6h or 2d")
            }
            return .wait(try duration(text))
        case "expect":
            if let state = try fields.string("rollout") {
                guard ["halted", "rolling", "none"].contains(state) else {
                    throw ScenarioError("a rollout is expected halted, rolling or none, not \"\(state)\"")
                }
                try fields.onlyUsed()
                return .expect(.rollout(state))
            }
            if try fields.bool("every-device-working") == true {
                try fields.onlyUsed()
                return .expect(.everyDeviceWorking)
            }
            let expectation = Expectation.revisionShare(
                revision: try fields.required(fields.int("revision"), "revision"),
                atLeastPercent: try fields.required(fields.percent("at-least"), "at-least"),
                by: try fields.string("by").map(duration))
            try fields.onlyUsed()
            return .expect(expectation)
        default:
            throw ScenarioError("unknown step \"\(kind)\": \(stepNames.joined(separator: ", "))")
        }
    }

    /// `90s`, `30m`, `6h`, `2d` (simulated time).
    public static func duration(_ text: String) throws -> TimeInterval {
        let units: [Character: TimeInterval] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        guard let unit = text.last.flatMap({ units[$0] }), let count = Double(text.dropLast()), count > 0 else {
            throw ScenarioError("\"\(text)\" is not a duration like 90m, 6h or 2d")
        }
        return count * unit
    }
}

/// One step's fields, read by type, with the ones left unread reported as unknown.
final class Fields {
    let step: String
    let values: [String: Any]
    private var used: Set<String> = []

    init(_ step: String, _ value: Any) {
        self.step = step
        values = value as? [String: Any] ?? [:]
    }

    private func value<T>(_ key: String, as type: T.Type, described: String) throws -> T? {
        used.insert(key)
        guard let raw = values[key] else { return nil }
        guard let typed = raw as? T else { throw ScenarioError("\(step): \(key) is \(described), not \(raw)") }
        return typed
    }

    func string(_ key: String) throws -> String? {
        used.insert(key)
        guard let raw = values[key] else { return nil }
        return "\(raw)"
    }

    func int(_ key: String) throws -> Int? { try value(key, as: Int.self, described: "a whole number") }
    func bool(_ key: String) throws -> Bool? { try value(key, as: Bool.self, described: "true or false") }

    /// `10`, `10%` or `2.5%`: a share from above 0 to 100.
    func percent(_ key: String) throws -> Double? {
        guard let text = try string(key) else { return nil }
        let number = text.hasSuffix("%") ? String(text.dropLast()) : text
        guard let share = Double(number), share > 0, share <= 100 else {
            throw ScenarioError("\(step): \(key) is a share above 0 % and at most 100 %, not \(text)")
        }
        return share
    }

    func required<T>(_ value: T?, _ key: String) throws -> T {
        guard let value else { throw ScenarioError("\(step) needs \(key)") }
        return value
    }

    func onlyUsed() throws {
        if let unknown = values.keys.sorted().first(where: { !used.contains($0) }) {
            throw ScenarioError("\(step) has no field \"\(unknown)\"")
        }
    }
}

public struct ScenarioError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
