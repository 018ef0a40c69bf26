import StoreProtocol

extension SnapStore {
    /// Records what a device's agent says of one attempt (`AttemptReport`): an installed revision,
    /// or a failure with its step and reason. Only a device with a session can say it.
    public func recordAttempt(_ report: AttemptReport, device: DeviceIdentity) async throws {
        guard let serialKey = device.serialKey else {
            throw StoreError(.unauthorized, "an attempt report needs a device session")
        }
        guard !report.snapID.isEmpty, report.revision > 0 else {
            throw StoreError(.invalid, "an attempt report names a snap-id and a revision above 0")
        }
        let detail: String? =
            report.result == .done
            ? nil
            : "the agent's report (\(report.result.rawValue)): "
                + [report.step, report.reason].compactMap { $0 }.joined(separator: ": ")
        try await catalogue.recordEvent(
            serialKey: serialKey,
            DeviceSnapEvent(
                snapID: report.snapID, revision: report.revision, kind: report.result == .done ? .installed : .failed,
                at: clock().seconds, detail: detail))
        if report.result != .done, let dossier = try await catalogue.dossier(snapID: report.snapID) {
            try await enforceHealthGates([dossier])
        }
    }
}
