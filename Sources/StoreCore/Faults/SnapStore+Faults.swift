/// Faults for rehearsals: added, listed and cleared by the admin (or a brand for its own snaps),
/// and consulted by the device API before it answers.
extension SnapStore {
    /// Adds a fault after checking it makes sense: a snap that exists, a group that exists, shares
    /// within 0–100, and the parameter its kind needs.
    public func addFault(_ fault: Fault, snapName: String?, store: String? = nil, by principal: Principal)
        async throws -> Fault
    {
        var fault = fault
        if let snapName {
            let snap = try await self.snap(named: snapName, store: store)
            try requirePublisher(snap, principal, .manage)
            fault.snapID = snap.snapID
        } else if !principal.isAdmin {
            throw StoreError(.forbidden, "a fault on every snap needs the admin token")
        }
        if fault.revision != nil, fault.snapID == nil { throw StoreError(.invalid, "a revision goes with a snap") }
        if let group = fault.group { _ = try await self.group(named: group, by: principal) }
        for (name, value) in [("device share", fault.devicePercent), ("chance", fault.chance)] {
            if let value, !(value > 0 && value <= 100) {
                throw StoreError(.invalid, "the \(name) is above 0 and at most 100, not \(value)")
            }
        }
        if let times = fault.times, times < 1 { throw StoreError(.invalid, "times is at least 1, not \(times)") }
        switch fault.kind {
        case .status:
            guard let status = fault.status, (500...599).contains(status) else {
                throw StoreError(
                    .invalid, "a status fault answers 500 to 599, not \(fault.status.map(String.init) ?? "nothing")")
            }
        case .delay:
            guard let delay = fault.delayMilliseconds, delay > 0, delay <= 600_000 else {
                throw StoreError(.invalid, "a delay is 1 to 600000 milliseconds")
            }
        case .cut:
            guard fault.endpoint == .download, let after = fault.afterBytes, after >= 0 else {
                throw StoreError(.invalid, "a cut is a download's, after a number of bytes (0 or more)")
            }
        case .throttle:
            guard fault.endpoint == .download, let rate = fault.bytesPerSecond, rate > 0 else {
                throw StoreError(.invalid, "a throttle is a download's, at a rate above 0 bytes per second")
            }
        case .corrupt:
            guard fault.endpoint == .download else { throw StoreError(.invalid, "corrupt spoils downloads only") }
        case .failCheckHealth:
            guard fault.snapID != nil, fault.revision != nil else {
                throw StoreError(.invalid, "fail-check-health names a snap and a revision")
            }
        }
        fault.fired = 0
        fault.createdAt = clock().seconds
        let stored = try await catalogue.addFault(fault)
        faultBoard.invalidate()
        return stored
    }

    public func faults(by principal: Principal) async throws -> [Fault] {
        let all = try await faultBoard.faults(from: catalogue)
        guard !principal.isAdmin else { return all }
        var own: [Fault] = []
        for fault in all {
            guard let snapID = fault.snapID, let snap = try await catalogue.snap(id: snapID),
                snap.publisherID == principal.accountID
            else { continue }
            own.append(fault)
        }
        return own
    }

    /// Clears one fault, or every fault this principal may see.
    public func clearFaults(id: Int?, by principal: Principal) async throws -> Int {
        let visible = try await faults(by: principal)
        if let id {
            guard visible.contains(where: { $0.id == id }) else { throw StoreError(.notFound, "no fault \(id)") }
            try await catalogue.deleteFaults(id: id)
        } else {
            for fault in visible { try await catalogue.deleteFaults(id: fault.id) }
        }
        faultBoard.invalidate()
        return id == nil ? visible.count : 1
    }

    /// The fault that spoils this answer, if one does; its firing is counted. Without faults this
    /// reads nothing.
    public func firingFault(
        _ endpoint: Fault.Endpoint, snapID: String? = nil, revision: Int? = nil, device: DeviceIdentity
    ) async throws -> Fault? {
        let faults = try await faultBoard.faults(from: catalogue)
        guard !faults.isEmpty else { return nil }
        var groups: Set<String>?
        for fault in faults where fault.endpoint == endpoint && fault.kind != .failCheckHealth && !fault.isSpent {
            if let wanted = fault.snapID, wanted != snapID { continue }
            if let wanted = fault.revision, wanted != revision { continue }
            if let group = fault.group {
                if groups == nil, let serialKey = device.serialKey {
                    groups = try await groupNames(ofDevice: serialKey)
                }
                guard groups?.contains(group) == true else { continue }
            }
            if let share = fault.devicePercent {
                guard let bucket = device.rolloutBucket(snapID: fault.draw), bucket < share else { continue }
            }
            if let chance = fault.chance, Double.random(in: 0..<100) >= chance { continue }
            try await catalogue.recordFiring(ofFault: fault.id)
            faultBoard.invalidate()
            return fault
        }
        return nil
    }
}
