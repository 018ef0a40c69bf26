import Assertions
import Foundation
import StoreProtocol

/// Validation sets in enforce mode, as snapd keeps them (`overlord/assertstate/validation_set_tracking.go`,
/// `snap validate --enforce`): the device holds the set's assertion, its installed snaps must
/// satisfy it, and refreshes and installs keep them so.
extension Agent {
    /// What enforced sets say of one snap: a revision it must be at, or that it must not be here.
    struct ValidationRule {
        var required: (revision: Int, set: AgentState.TrackedValidationSet)?
        var invalidIn: AgentState.TrackedValidationSet?
        var requiredBy: AgentState.TrackedValidationSet?
    }

    /// Starts enforcing `account/name` (its newest sequence, or `sequence` pinned): fetched with a
    /// `fetch-assertions` action, verified against the device's roots, then checked against the
    /// installed snaps; a set they do not satisfy is refused with what is wrong, as snapd refuses.
    @discardableResult
    public func enforce(_ account: String, _ name: String, sequence: Int? = nil) async throws
        -> AgentState.TrackedValidationSet
    {
        var state = try await boot()
        var assertions = try DeviceAssertions.open(storage)
        let set = try await fetchValidationSet(account, name, sequence: sequence, state: &state, into: &assertions)
        var problems: [String] = []
        for snap in set.snaps {
            let installed = state.snaps.first { $0.snapID == snap.snapID }
            switch snap.presence {
            case .required where installed == nil:
                problems.append("\(snap.name) is required but not installed")
            case .invalid where installed != nil:
                problems.append("\(snap.name) is invalid but installed")
            default:
                if let installed, snap.revision > 0, installed.current != snap.revision {
                    problems.append("\(snap.name) must be at revision \(snap.revision), not \(installed.current)")
                }
            }
        }
        guard problems.isEmpty else {
            throw DeviceAgentError(
                "cannot enforce validation set \(account)/\(name): " + problems.joined(separator: "; "))
        }
        let tracked = AgentState.TrackedValidationSet(
            accountID: account, name: name, sequence: set.sequence, pinned: sequence != nil)
        state.validationSets = (state.validationSets ?? []).filter { $0.label != tracked.label } + [tracked]
        try stateStore.save(state)
        return tracked
    }

    /// Stops enforcing a set (snapd's `snap validate --forget`).
    public func forget(_ account: String, _ name: String) async throws {
        var state = try await boot()
        guard state.validationSets?.contains(where: { $0.label == "\(account)/\(name)" }) == true else {
            throw DeviceAgentError("validation set \(account)/\(name) is not enforced here")
        }
        state.validationSets?.removeAll { $0.label == "\(account)/\(name)" }
        try stateStore.save(state)
    }

    /// The newest sequence of every enforced set that is not pinned, as snapd refreshes tracked
    /// sets before a refresh.
    func refreshValidationSets(_ state: inout AgentState, assertions: inout DeviceAssertions) async throws {
        for tracked in state.validationSets ?? [] where !tracked.pinned {
            let set = try await fetchValidationSet(
                tracked.accountID, tracked.name, sequence: nil, state: &state, into: &assertions)
            guard set.sequence > tracked.sequence, let index = state.validationSets?.firstIndex(of: tracked) else {
                continue
            }
            state.validationSets?[index].sequence = set.sequence
        }
    }

    /// What the enforced sets say of each snap-id.
    func validationRules(_ state: AgentState, in database: TrustDatabase) throws -> [String: ValidationRule] {
        var rules: [String: ValidationRule] = [:]
        for tracked in state.validationSets ?? [] {
            guard let assertion = database.find(AssertionReference(.validationSet, tracked.key)) else {
                throw DeviceAgentError("the device lost validation set \(tracked.label) (\(tracked.sequence))")
            }
            for snap in try ValidationSet(assertion).snaps {
                switch snap.presence {
                case .invalid: rules[snap.snapID, default: ValidationRule()].invalidIn = tracked
                case .required, .optional:
                    if snap.presence == .required { rules[snap.snapID, default: ValidationRule()].requiredBy = tracked }
                    if snap.revision > 0 {
                        rules[snap.snapID, default: ValidationRule()].required = (snap.revision, tracked)
                    }
                }
            }
        }
        return rules
    }

    private func fetchValidationSet(
        _ account: String, _ name: String, sequence: Int?, state: inout AgentState,
        into assertions: inout DeviceAssertions
    ) async throws -> ValidationSet {
        let (connection, answer) = try await send(
            SnapActionRequest(
                context: [],
                actions: [
                    .init(
                        .fetchAssertions, key: "g1",
                        assertions: [
                            .init(type: "validation-set", sequenceKey: ["16", account, name], sequence: sequence)
                        ])
                ], fields: SnapActionRequest.snapdFields,
                assertionMaxFormats: ["snap-declaration": 5, "system-user": 1]),
            headers: Self.headers(model: model), state: &state)
        guard let url = answer.results.first?.assertionStreamURLs?.first,
            let assertion = try await connection.assertions(at: url).first(where: { $0.type == .validationSet })
        else {
            throw DeviceAgentError(
                "the store has no validation set \(account)/\(name)\(sequence.map { " at sequence \($0)" } ?? "")")
        }
        let signer = try await AssertionFetcher(connection: connection).chain(
            AssertionReference(.accountKey, [assertion.string("sign-key-sha3-384")]), trusting: assertions.database)
        try assertions.add(signer + [assertion])
        return try ValidationSet(assertion)
    }
}
