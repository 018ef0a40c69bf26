import Assertions
import SnapFiles

extension SnapStore {
    /// Decides a snap-action request as the real store does: install and download by name, channel
    /// or revision; refresh of installed snaps (up-to-date ones omitted); epochs, validation sets,
    /// brand-store visibility, rollouts by device bucket; and bulk assertion fetches.
    public func snapAction(_ request: SnapActionRequest, device: DeviceIdentity) async throws -> [SnapActionResult] {
        var results: [SnapActionResult] = []
        let installed = Dictionary(
            request.context.map { ($0.instanceKey, $0) }, uniquingKeysWith: { first, _ in first })
        let contextSets = request.context.filter { $0.ignoreValidation != true }.flatMap { $0.validationSets ?? [] }
        // Everything installed in one read rather than one per snap: refreshes are the hot path.
        let installedSnaps = try await catalogue.dossiers(snapIDs: request.context.map(\.snapID))
        for action in request.actions {
            switch action.action {
            case "install", "download":
                results.append(try await install(action, device: device, contextSets: contextSets))
            case "refresh":
                guard let key = action.instanceKey,
                    let entry = installed[key] ?? installed.values.first(where: { $0.snapID == action.snapID })
                else {
                    results.append(
                        .error(
                            instanceKey: action.instanceKey ?? "", name: "", snapID: action.snapID ?? "",
                            code: "id-not-found",
                            message: "refresh of a snap that is not in the request's context", releases: []))
                    continue
                }
                let dossier = Self.visible(installedSnaps[entry.snapID], to: device)
                if let result = try await refresh(
                    action, installed: entry, dossier: dossier, device: device, contextSets: contextSets)
                {
                    results.append(result)
                }
            case "fetch-assertions":
                results.append(try await fetchAssertions(action))
            default:
                throw StoreError(
                    .invalid,
                    "unknown action \"\(action.action)\"; expected install, download, refresh or fetch-assertions")
            }
        }
        return results
    }

    /// A snap by name as this device may see it: its brand store's names first, then the global ones.
    public func visibleSnap(named name: String, device: DeviceIdentity) async throws -> SnapDossier? {
        if let storeID = device.storeID, let found = try await catalogue.dossier(name: name, store: storeID) {
            return found
        }
        return try await catalogue.dossier(name: name, store: nil)
    }

    public func visibleSnap(id: String, device: DeviceIdentity) async throws -> SnapDossier? {
        Self.visible(try await catalogue.dossier(snapID: id), to: device)
    }

    /// A brand store's snap is seen only by devices of that store.
    static func visible(_ found: SnapDossier?, to device: DeviceIdentity) -> SnapDossier? {
        guard let found else { return nil }
        if let store = found.snap.store, store != device.storeID { return nil }
        return found
    }

    private func install(_ action: SnapActionRequest.Action, device: DeviceIdentity, contextSets: [[String]])
        async throws
        -> SnapActionResult
    {
        let instanceKey = action.instanceKey ?? ""
        let name = action.name ?? ""
        guard let dossier = try await visibleSnap(named: name, device: device) else {
            return .error(
                instanceKey: instanceKey, name: name, snapID: "", code: "name-not-found",
                message: "No snap named '\(name)' found",
                releases: [])
        }
        let sets = action.ignoreValidation == true ? [] : contextSets + (action.validationSets ?? [])
        let wantedEpoch = action.epoch.map { Epoch(read: $0.read, write: $0.write) }
        return try await choose(
            dossier, kind: action.action, instanceKey: instanceKey, channel: action.channel ?? "stable",
            revision: action.revision, installedEpoch: wantedEpoch, currentRevision: nil, validationSets: sets,
            device: device)
            ?? .error(
                instanceKey: instanceKey, name: name, snapID: dossier.snap.snapID, code: "revision-not-found",
                message: "no revision", releases: [])
    }

    private func refresh(
        _ action: SnapActionRequest.Action, installed: SnapActionRequest.ContextEntry, dossier: SnapDossier?,
        device: DeviceIdentity, contextSets: [[String]]
    ) async throws -> SnapActionResult? {
        guard let dossier else {
            return .error(
                instanceKey: installed.instanceKey, name: "", snapID: installed.snapID, code: "id-not-found",
                message: "No snap with id '\(installed.snapID)' found", releases: [])
        }
        let ignore = action.ignoreValidation ?? installed.ignoreValidation ?? false
        let sets = ignore ? [] : contextSets + (action.validationSets ?? [])
        let result = try await choose(
            dossier, kind: "refresh", instanceKey: installed.instanceKey,
            channel: action.channel ?? installed.trackingChannel ?? "stable", revision: action.revision,
            installedEpoch: installed.epoch.map { Epoch(read: $0.read, write: $0.write) },
            currentRevision: installed.revision,
            validationSets: sets, device: device)
        // An up-to-date snap is simply left out of the answer.
        if case .snap(_, _, _, let revision, _, _) = result, revision.revision == installed.revision { return nil }
        if case .error(_, _, _, let code, _, _) = result, code == "revision-not-found", action.revision == nil {
            return nil
        }
        return result
    }

    /// The revision a device gets, or why it gets none.
    private func choose(
        _ dossier: SnapDossier, kind: String, instanceKey: String, channel text: String, revision fixed: Int?,
        installedEpoch: Epoch?, currentRevision: Int?, validationSets: [[String]], device: DeviceIdentity
    ) async throws -> SnapActionResult? {
        let snap = dossier.snap
        let map = dossier.channelMap
        let revisions = dossier.revisions
        let byNumber = Dictionary(revisions.map { ($0.revision, $0) }, uniquingKeysWith: { first, _ in first })
        let openReleases = map.releases.filter { $0.progressive == nil }.map {
            SnapActionResult.Release(channel: $0.channel.name, architecture: $0.architecture)
        }
        func notFound(_ message: String) -> SnapActionResult {
            .error(
                instanceKey: instanceKey, name: snap.name, snapID: snap.snapID, code: "revision-not-found",
                message: message,
                releases: openReleases)
        }
        func supports(_ record: RevisionRecord) -> Bool {
            record.architectures.contains("all") || record.architectures.contains(device.architecture)
        }
        func readable(_ record: RevisionRecord) -> Bool {
            guard let installedEpoch else { return true }
            return Epoch(read: record.epochRead, write: record.epochWrite).canRead(installedEpoch)
        }

        let constraint = try await validationConstraint(for: snap.snapID, sets: validationSets)
        if constraint == .invalid {
            return .error(
                instanceKey: instanceKey, name: snap.name, snapID: snap.snapID, code: "revision-not-found",
                message: "snap \"\(snap.name)\" is invalid in an enforced validation set", releases: [])
        }
        if case .required(let pinned) = constraint, fixed == nil {
            guard let record = byNumber[pinned], supports(record) else {
                return notFound(
                    "revision \(pinned) required by a validation set is not available for \(device.architecture)")
            }
            return .snap(
                kind: kind, instanceKey: instanceKey, dossier: dossier, revision: record, effectiveChannel: "",
                redirectChannel: nil)
        }
        if let fixed {
            guard let record = byNumber[fixed], supports(record) else {
                return notFound("no revision \(fixed) of \(snap.name) for \(device.architecture)")
            }
            return .snap(
                kind: kind, instanceKey: instanceKey, dossier: dossier, revision: record, effectiveChannel: "",
                redirectChannel: nil)
        }
        let request: ChannelRequest
        do {
            request = try ChannelRequest.parse(text)
        } catch {
            return .error(
                instanceKey: instanceKey, name: snap.name, snapID: snap.snapID, code: "invalid-channel",
                message: error.description, releases: [])
        }
        let wanted = request.channel(defaultTrack: map.defaultTrack)
        guard map.tracks.contains(wanted.track) else {
            return notFound("no track \"\(wanted.track)\" for \(snap.name)")
        }
        let now = clock().seconds
        guard
            let resolution = map.resolve(
                request, architecture: device.architecture, bucket: device.rolloutBucket(snapID: snap.snapID), at: now),
            let record = byNumber[resolution.revision]
        else {
            return notFound("no revision of \(snap.name) in \(wanted.name) for \(device.architecture)")
        }
        var chosen = record
        if !readable(record) {
            // The newest revision ever released to that channel that can read the installed data.
            let history = try await catalogue.releaseHistory(snapID: snap.snapID)
            let released = Set(history.filter { $0.channel == resolution.effectiveChannel.name }.compactMap(\.revision))
            guard
                let older = revisions.filter({ released.contains($0.revision) && supports($0) && readable($0) })
                    .max(by: { $0.revision < $1.revision })
            else {
                return notFound("no revision of \(snap.name) in \(wanted.name) can read the installed epoch")
            }
            chosen = older
        }
        _ = currentRevision
        return .snap(
            kind: kind, instanceKey: instanceKey, dossier: dossier, revision: chosen,
            effectiveChannel: resolution.effectiveChannel.name, redirectChannel: resolution.redirectChannel?.name)
    }

    enum ValidationConstraint: Equatable {
        case none
        case required(Int)
        case invalid
    }

    /// What the named validation sets say about a snap: a pinned revision, invalid, or nothing.
    func validationConstraint(for snapID: String, sets: [[String]]) async throws -> ValidationConstraint {
        var result = ValidationConstraint.none
        for key in sets where key.count == 4 {
            guard let assertion = try await catalogue.assertion(AssertionReference(.validationSet, key)),
                let set = try? ValidationSet(assertion), let entry = set.snaps.first(where: { $0.snapID == snapID })
            else { continue }
            if entry.presence == .invalid { return .invalid }
            if entry.revision > 0 { result = .required(entry.revision) }
        }
        return result
    }

    private func fetchAssertions(_ action: SnapActionRequest.Action) async throws -> SnapActionResult {
        var paths: [String] = []
        var missing: [SnapActionResult.MissingAssertion] = []
        for wanted in action.assertions ?? [] {
            guard let type = AssertionType.named(wanted.type) else {
                missing.append(.init(type: wanted.type, primaryKey: wanted.primaryKey, sequenceKey: wanted.sequenceKey))
                continue
            }
            var found: Assertion?
            if let sequenceKey = wanted.sequenceKey, type.isSequenceForming, sequenceKey.count == 3 {
                if let sequence = wanted.sequence {
                    found = try await catalogue.assertion(AssertionReference(type, sequenceKey + [String(sequence)]))
                } else {
                    found = try await latestValidationSet(accountID: sequenceKey[1], name: sequenceKey[2])
                    if let minimum = wanted.ifSequenceEqualOrNewerThan, let current = found,
                        (Int(current.string("sequence")) ?? 0) < minimum
                    {
                        continue
                    }
                }
            } else if let primaryKey = wanted.primaryKey, type.fullPrimaryKey(primaryKey) != nil {
                found = try await catalogue.assertion(AssertionReference(type, primaryKey))
            }
            guard let assertion = found else {
                missing.append(.init(type: wanted.type, primaryKey: wanted.primaryKey, sequenceKey: wanted.sequenceKey))
                continue
            }
            if let newer = wanted.ifNewerThan, assertion.revision <= newer { continue }
            paths.append(assertion.reference.path)
        }
        return .assertions(key: action.key ?? "", paths: paths, missing: missing)
    }
}
