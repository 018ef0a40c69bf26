import Assertions
import SnapFiles
import StoreProtocol

extension SnapStore {
    /// The most context entries, and the most actions, one snap action request may carry.
    public static let maxSnapActionEntries = 1000

    /// Decides a snap-action request as the real store does: install and download by name, channel
    /// or revision; refresh of installed snaps (up-to-date ones omitted); epochs, validation sets,
    /// brand-store visibility, rollouts by device bucket; and bulk assertion fetches. Download and
    /// assertion URLs start with `baseURL`, the address the device used. A refresh carries a delta
    /// from the installed revision when the device applies `deltaFormat` and one is made.
    public func snapAction(
        _ request: SnapActionRequest, device: DeviceIdentity, baseURL: String, deltaFormat: String? = nil
    ) async throws -> [SnapActionResult] {
        try await snapActionAnswers(request, device: device, baseURL: baseURL, deltaFormat: deltaFormat).map(\.result)
    }

    /// `snapAction`'s results as decided, for callers that keep what they wrote for an answer.
    public func snapActionAnswers(
        _ request: SnapActionRequest, device: DeviceIdentity, baseURL: String, deltaFormat: String? = nil
    ) async throws -> [SnapActionAnswer] {
        // snapd 2.57 sends every installed snap in one request, with no batching of its own
        // (`store/store_action.go`); a device has tens. The cap bounds the work one request buys.
        guard request.context.count <= Self.maxSnapActionEntries, request.actions.count <= Self.maxSnapActionEntries
        else {
            throw StoreError(
                .invalid,
                "a snap action request may hold at most \(Self.maxSnapActionEntries) context entries and as many "
                    + "actions; this one has \(request.context.count) and \(request.actions.count)")
        }
        // One reading of the clock for the whole request: every snap is decided at the same moment.
        let now = clock().seconds
        if let serialKey = device.serialKey, !request.context.isEmpty {
            // snapd sends its whole installed set each time: what the store knows of the device.
            try await catalogue.recordReport(
                serialKey: serialKey,
                snaps: request.context.map {
                    ReportedSnap(
                        snapID: $0.snapID, revision: $0.revision, channel: $0.trackingChannel ?? "latest/stable",
                        refreshedDate: $0.refreshedDate)
                }, at: now)
        }
        var results: [SnapActionAnswer] = []
        results.reserveCapacity(request.actions.count)
        // Where each installed snap's entry is, by instance key (the first of repeated ones), and the
        // validation sets the device enforces: indices and a loop, as copies of twenty entries
        // (strings each) were a measurable part of a refresh.
        var installed: [String: Int] = [:]
        installed.reserveCapacity(request.context.count)
        var contextSets: [[String]] = []
        for index in request.context.indices {
            let entry = request.context[index]
            if installed[entry.instanceKey] == nil { installed[entry.instanceKey] = index }
            if entry.ignoreValidation != true, let sets = entry.validationSets { contextSets += sets }
        }
        // Everything installed in one read rather than one per snap: refreshes are the hot path.
        var installedSnaps = try await catalogue.dossiers(snapIDs: request.context.map(\.snapID))
        // The report may have pushed a rollout's failures over its gate: halted before answering.
        let gated = installedSnaps.values.filter(\.channelMap.hasOpenHealthGate)
        if device.serialKey != nil, !gated.isEmpty, try await enforceHealthGates(gated) {
            installedSnaps = try await catalogue.dossiers(snapIDs: request.context.map(\.snapID))
        }
        for action in request.actions {
            switch action.kind {
            case .install, .download:
                results.append(
                    try await install(action, device: device, contextSets: contextSets, baseURL: baseURL, now: now))
            case .refresh:
                guard let key = action.instanceKey,
                    let index = installed[key] ?? request.context.firstIndex(where: { $0.snapID == action.snapID })
                else {
                    results.append(
                        .result(
                            .failure(
                                instanceKey: action.instanceKey ?? "", name: "", snapID: action.snapID ?? "",
                                .init(
                                    code: "id-not-found",
                                    message: "refresh of a snap that is not in the request's context"))))
                    continue
                }
                let dossier = Self.visible(installedSnaps[request.context[index].snapID], to: device)
                if let result = try await refresh(
                    action, installed: request.context[index], dossier: dossier, device: device,
                    contextSets: contextSets,
                    baseURL: baseURL, deltaFormat: deltaFormat, now: now)
                {
                    results.append(result)
                }
            case .fetchAssertions:
                results.append(.result(try await fetchAssertions(action, baseURL: baseURL)))
            case nil:
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
            return Self.visible(found, to: device)
        }
        return Self.visible(try await catalogue.dossier(name: name, store: nil), to: device)
    }

    public func visibleSnap(id: String, device: DeviceIdentity) async throws -> SnapDossier? {
        Self.visible(try await catalogue.dossier(snapID: id), to: device)
    }

    /// A brand store's snap is seen only by devices of that store; a private snap only by its
    /// publisher (signed in on the device) and the admin, as if it did not exist for anyone else.
    static func visible(_ found: SnapDossier?, to device: DeviceIdentity) -> SnapDossier? {
        guard let found, visible(found.snap, to: device) else { return nil }
        return found
    }

    static func visible(_ snap: SnapRecord, to device: DeviceIdentity) -> Bool {
        (snap.store == nil || snap.store == device.storeID) && (!snap.isPrivate || device.publishes(snap))
    }

    /// Whether `device` may have `revision` by number (a pinned install, a download by URL): a
    /// revision that was never released to any channel is still its publisher's draft.
    func servable(_ revision: Int, of dossier: SnapDossier, to device: DeviceIdentity) async throws -> Bool {
        if device.publishes(dossier.snap) { return true }
        // Released now is the common case (what devices refresh to), and needs no history read.
        if dossier.channelMap.releases.contains(where: { $0.revision == revision }) { return true }
        return try await catalogue.releaseHistory(snapID: dossier.snap.snapID).contains { $0.revision == revision }
    }

    private func install(
        _ action: SnapActionRequest.Action, device: DeviceIdentity, contextSets: [[String]], baseURL: String,
        now: Int64
    ) async throws -> SnapActionAnswer {
        let instanceKey = action.instanceKey ?? ""
        let name = action.name ?? ""
        guard let dossier = try await visibleSnap(named: name, device: device) else {
            return .result(
                .failure(
                    instanceKey: instanceKey, name: name, snapID: "",
                    .init(code: "name-not-found", message: "No snap named '\(name)' found")))
        }
        let sets = action.ignoreValidation == true ? [] : contextSets + (action.validationSets ?? [])
        let (cohort, invalid) = self.cohort(action.cohortKey, of: dossier)
        if let invalid {
            return .result(.failure(instanceKey: instanceKey, name: name, snapID: dossier.snap.snapID, invalid))
        }
        let choice = try await choose(
            dossier, instanceKey: instanceKey, channel: action.channel ?? "stable", revision: action.revision,
            installedEpoch: action.epoch, validationSets: sets, device: device, cohort: cohort, now: now)
        return answer(choice, kind: action.kind == .download ? .download : .install, baseURL: baseURL)
    }

    private func refresh(
        _ action: SnapActionRequest.Action, installed: SnapActionRequest.ContextEntry, dossier: SnapDossier?,
        device: DeviceIdentity, contextSets: [[String]], baseURL: String, deltaFormat: String?, now: Int64
    ) async throws -> SnapActionAnswer? {
        guard let dossier else {
            return .result(
                .failure(
                    instanceKey: installed.instanceKey, name: "", snapID: installed.snapID,
                    .init(code: "id-not-found", message: "No snap with id '\(installed.snapID)' found")))
        }
        let ignore = action.ignoreValidation ?? installed.ignoreValidation ?? false
        let sets = ignore ? [] : contextSets + (action.validationSets ?? [])
        // The action's key joins (or moves) the cohort; the installed snap's keeps it there.
        let (cohort, invalid) = self.cohort(action.cohortKey ?? installed.cohortKey, of: dossier)
        if let invalid {
            return .result(
                .failure(
                    instanceKey: installed.instanceKey, name: dossier.snap.name, snapID: installed.snapID, invalid))
        }
        let choice = try await choose(
            dossier, instanceKey: installed.instanceKey,
            channel: action.channel ?? installed.trackingChannel ?? "stable", revision: action.revision,
            installedEpoch: installed.epoch, validationSets: sets, device: device, cohort: cohort, now: now)
        switch choice {
        case .revision(_, _, let record, _, _) where record.revision == installed.revision:
            // An up-to-date snap is simply left out of the answer.
            return nil
        case .failure(_, _, let failure) where failure.code == "revision-not-found" && action.revision == nil:
            return nil
        case .revision(_, _, let record, _, _):
            let delta = announcedDelta(
                dossier, from: installed.revision, to: record.revision, format: deltaFormat, baseURL: baseURL)
            return answer(choice, kind: .refresh, baseURL: baseURL, delta: delta)
        case .failure:
            return answer(choice, kind: .refresh, baseURL: baseURL)
        }
    }

    /// The cohort a key names; `invalid` for a key this store did not make for this snap, which is
    /// the action's error rather than a silent fall back to the device's own place.
    private func cohort(_ key: String?, of dossier: SnapDossier) -> (
        cohort: Cohort?, invalid: SnapActionResult.Failure?
    ) {
        guard let key, !key.isEmpty else { return (nil, nil) }
        guard let cohort = Cohort.read(key, snapID: dossier.snap.snapID, secret: macaroonKey) else {
            return (
                nil,
                SnapActionResult.Failure(
                    code: "invalid-cohort-key",
                    message: "the cohort key is not one this store made for \(dossier.snap.name): ask for one "
                        + "(snap refresh --cohort=+) or leave the cohort (--leave-cohort)")
            )
        }
        return (cohort, nil)
    }

    /// What `choose` decided for one snap: a revision, or why none.
    enum Choice {
        case revision(SnapDossier, instanceKey: String, RevisionRecord, effectiveChannel: String, redirect: String?)
        case failure(SnapDossier, instanceKey: String, SnapActionResult.Failure)
    }

    private func answer(
        _ choice: Choice, kind: SnapActionResult.Kind, baseURL: String, delta: StoreSnap.Delta? = nil
    ) -> SnapActionAnswer {
        switch choice {
        case .revision(let dossier, let instanceKey, let record, let effective, let redirect):
            return .revision(
                RevisionAnswer(
                    kind: kind, instanceKey: instanceKey, dossier: dossier, revision: record,
                    effectiveChannel: effective, redirectChannel: redirect, baseURL: baseURL, delta: delta))
        case .failure(let dossier, let instanceKey, let failure):
            return .result(
                .failure(instanceKey: instanceKey, name: dossier.snap.name, snapID: dossier.snap.snapID, failure))
        }
    }

    /// The revision a device gets, or why it gets none.
    private func choose(
        _ dossier: SnapDossier, instanceKey: String, channel text: String, revision fixed: Int?,
        installedEpoch: Epoch?, validationSets: [[String]], device: DeviceIdentity, cohort: Cohort?, now: Int64
    ) async throws -> Choice {
        let snap = dossier.snap
        let map = dossier.channelMap
        func notFound(_ message: String) -> Choice {
            let openReleases = map.releases.filter { $0.progressive == nil }.map {
                SnapActionResult.Failure.Release(architecture: $0.architecture, channel: $0.channel.name)
            }
            return .failure(
                dossier, instanceKey: instanceKey,
                .init(code: "revision-not-found", message: message, releases: openReleases))
        }
        func chosen(_ record: RevisionRecord, effective: String = "", redirect: String? = nil) -> Choice {
            .revision(dossier, instanceKey: instanceKey, record, effectiveChannel: effective, redirect: redirect)
        }
        func supports(_ record: RevisionRecord) -> Bool {
            record.architectures.contains("all") || record.architectures.contains(device.architecture)
        }
        func readable(_ record: RevisionRecord) -> Bool {
            guard let installedEpoch else { return true }
            return record.epoch.canRead(installedEpoch)
        }

        let constraint = try await validationConstraint(for: snap.snapID, sets: validationSets)
        if constraint == .invalid {
            return .failure(
                dossier, instanceKey: instanceKey,
                .init(
                    code: "revision-not-found",
                    message: "snap \"\(snap.name)\" is invalid in an enforced validation set"))
        }
        if case .required(let pinned) = constraint, fixed == nil {
            guard let record = dossier.revision(pinned), supports(record) else {
                return notFound(
                    "revision \(pinned) required by a validation set is not available for \(device.architecture)")
            }
            return chosen(record)
        }
        if let fixed {
            guard let record = dossier.revision(fixed), supports(record),
                try await servable(fixed, of: dossier, to: device)
            else {
                return notFound("no revision \(fixed) of \(snap.name) for \(device.architecture)")
            }
            return chosen(record)
        }
        let request: ChannelRequest
        do {
            request = try ChannelRequest.parse(text)
        } catch {
            return .failure(
                dossier, instanceKey: instanceKey, .init(code: "invalid-channel", message: error.description))
        }
        let wanted = request.channel(defaultTrack: map.defaultTrack)
        guard map.tracks.contains(wanted.track) else {
            return notFound("no track \"\(wanted.track)\" for \(snap.name)")
        }
        // Only a channel map with a targeted release needs to know the device's groups.
        var groups: Set<String> = []
        if map.hasTargetedReleases, let serialKey = device.serialKey {
            groups = try await groupNames(ofDevice: serialKey)
        }
        guard
            let resolution = map.resolve(
                request, architecture: device.architecture,
                bucket: cohort?.rolloutBucket ?? device.rolloutBucket(snapID: snap.snapID),
                groups: groups, at: now),
            let record = dossier.revision(resolution.revision)
        else {
            return notFound("no revision of \(snap.name) in \(wanted.name) for \(device.architecture)")
        }
        var pick = record
        if !readable(record) {
            // The newest revision ever released to that channel that can read the installed data.
            let history = try await catalogue.releaseHistory(snapID: snap.snapID)
            let released = Set(history.filter { $0.channel == resolution.effectiveChannel.name }.compactMap(\.revision))
            guard
                let older = dossier.revisions.filter({ released.contains($0.revision) && supports($0) && readable($0) })
                    .max(by: { $0.revision < $1.revision })
            else {
                return notFound("no revision of \(snap.name) in \(wanted.name) can read the installed epoch")
            }
            pick = older
        }
        return chosen(
            pick, effective: resolution.effectiveChannel.name, redirect: resolution.redirectChannel?.name)
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

    private func fetchAssertions(_ action: SnapActionRequest.Action, baseURL: String) async throws
        -> SnapActionResult
    {
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
        return .assertions(
            key: action.key ?? "", urls: paths.map { "\(baseURL)/v2/assertions/\($0)" }, missing: missing)
    }
}
