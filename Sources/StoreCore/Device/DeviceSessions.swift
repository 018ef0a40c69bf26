import Assertions

/// Nonces handed out (in memory, good once for five minutes) and a cache of the device sessions
/// the inventory records, so that a refresh does not read the database to know its device.
public actor DeviceSessions {
    private var nonces: [String: Int64] = [:]
    private var nextNonceSweep: Int64 = 0
    static let nonceSweepInterval: Int64 = 10
    private var sessions: [String: (serialKey: String, openedAt: Int64)] = [:]
    /// The cached sessions of each device, so that revoking a device's sessions reaches the cache.
    private var sessionsOfDevice: [String: Set<String>] = [:]
    /// When each device's `last_seen` was last written: written at most once a minute per device.
    private var lastWritten: [String: Int64] = [:]
    static let seenGranularity: Int64 = 60
    /// Sessions kept in memory; the inventory holds them all, so a full cache just starts over.
    static let cacheLimit = 200_000

    public init() {}

    func issueNonce(now: Int64) -> String {
        // Expired nonces are swept every few seconds, not at each issue: a fleet registering at
        // once holds a hundred thousand, and sweeping them all per nonce is quadratic.
        if now >= nextNonceSweep {
            nonces = nonces.filter { $0.value > now }
            nextNonceSweep = now + Self.nonceSweepInterval
        }
        let nonce = Identifiers.random(count: 32)
        nonces[nonce] = now + 300
        return nonce
    }

    func consume(_ nonce: String, now: Int64) -> Bool {
        guard let expiry = nonces.removeValue(forKey: nonce) else { return false }
        return expiry > now
    }

    func cached(_ tokenHash: String) -> (serialKey: String, openedAt: Int64)? {
        sessions[tokenHash]
    }

    func remember(_ tokenHash: String, serialKey: String, openedAt: Int64, seenAt now: Int64) {
        if sessions.count >= Self.cacheLimit {
            sessions.removeAll(keepingCapacity: true)
            sessionsOfDevice.removeAll(keepingCapacity: true)
            lastWritten.removeAll(keepingCapacity: true)
        }
        sessions[tokenHash] = (serialKey, openedAt)
        sessionsOfDevice[serialKey, default: []].insert(tokenHash)
        lastWritten[serialKey] = now
    }

    /// Drops a device's cached sessions: they are read from the inventory again, where a pruned
    /// or revoked one is gone.
    func forget(device serialKey: String) {
        for tokenHash in sessionsOfDevice.removeValue(forKey: serialKey) ?? [] { sessions[tokenHash] = nil }
    }

    /// Whether `last_seen` of this device is due to be written.
    func shouldRecordSeen(_ serialKey: String, now: Int64) -> Bool {
        if let written = lastWritten[serialKey], now - written < Self.seenGranularity { return false }
        lastWritten[serialKey] = now
        return true
    }
}

extension SnapStore {
    /// A nonce good once for five minutes: in memory, or in the catalogue when replicas share it
    /// (snapd may ask one replica for the nonce and send its session request to another).
    public func issueNonce() async throws -> String {
        let now = clock().seconds
        guard catalogue.isShared else { return await deviceSessions.issueNonce(now: now) }
        let nonce = Identifiers.random(count: 32)
        try await catalogue.addNonce(nonce, expiresAt: now + 300, now: now)
        return nonce
    }

    /// Opens a session for a device that proves it holds its serial's key: the model verifies
    /// against the brand's registered key, the serial against the brand (or the model's serial
    /// authority), and the session request against the serial's device key, with a fresh nonce.
    /// The device joins the inventory if the store had not seen it.
    public func openDeviceSession(request: String, serial: String, model: String) async throws -> String {
        let sessionRequest: Assertion
        let serialAssertion: Assertion
        let modelAssertion: Assertion
        do {
            sessionRequest = try Assertion.decode(request)
            serialAssertion = try Assertion.decode(serial)
            modelAssertion = try Assertion.decode(model)
        } catch {
            throw StoreError(.invalid, "cannot decode the session assertions: \(error)")
        }
        guard sessionRequest.type == .deviceSessionRequest, serialAssertion.type == .serial,
            modelAssertion.type == .model
        else {
            throw StoreError(.invalid, "expected a device-session-request, a serial and a model")
        }
        let request = try DeviceSessionRequest(sessionRequest)
        guard request.brandID == serialAssertion.string("brand-id"), request.model == serialAssertion.string("model"),
            request.serial == serialAssertion.string("serial"), modelAssertion.string("model") == request.model,
            modelAssertion.string("brand-id") == request.brandID
        else {
            throw StoreError(.invalid, "the session request, serial and model do not describe the same device")
        }
        let now = clock().seconds
        let fresh =
            catalogue.isShared
            ? try await catalogue.consumeNonce(request.nonce, now: now)
            : await deviceSessions.consume(request.nonce, now: now)
        guard fresh else {
            throw StoreError(.unauthorized, "the nonce is unknown or expired; ask for a new one")
        }
        var database = try await trustDatabase(for: [])
        for assertion in [modelAssertion, serialAssertion] {
            do {
                try database.add(assertion)
            } catch {
                throw StoreError(.unauthorized, "\(assertion.reference) does not verify: \(error.message)")
            }
        }
        do {
            try database.check(sessionRequest)
        } catch {
            throw StoreError(.unauthorized, "the device-session-request does not verify: \(error.message)")
        }
        let device = try Serial(serialAssertion)
        let record = DeviceRecord(
            brandID: request.brandID, model: request.model, serial: request.serial, deviceKeyID: device.deviceKey.id,
            registeredAt: nil, signedBy: nil, firstSeen: now, lastSeen: now, lastSession: now)
        let token = Identifiers.random(count: 48)
        let tokenHash = Self.hash(token)
        try await catalogue.addDeviceSession(tokenHash: tokenHash, device: record, at: now)
        // The inventory keeps a device's newest sessions only: older ones must not live on here.
        await deviceSessions.forget(device: record.serialKey)
        await deviceSessions.remember(tokenHash, serialKey: record.serialKey, openedAt: now, seenAt: now)
        return token
    }

    /// `brand/model/serial` of the device holding a session token, or nil for an unknown, revoked
    /// or expired one (snapd then opens a new session); notes the device as seen.
    public func deviceSerialKey(session token: String) async throws -> String? {
        let tokenHash = Self.hash(token)
        let now = clock().seconds
        if catalogue.isShared {
            // Another replica may have revoked or replaced it: the inventory is asked every time.
            guard let stored = try await catalogue.deviceSession(tokenHash: tokenHash),
                now - stored.openedAt < deviceSessionLifetime
            else { return nil }
            if await deviceSessions.shouldRecordSeen(stored.serialKey, now: now) {
                try await catalogue.markDeviceSeen(serialKey: stored.serialKey, at: now)
            }
            return stored.serialKey
        }
        guard let session = await deviceSessions.cached(tokenHash) else {
            guard let stored = try await catalogue.deviceSession(tokenHash: tokenHash),
                now - stored.openedAt < deviceSessionLifetime
            else { return nil }
            await deviceSessions.remember(
                tokenHash, serialKey: stored.serialKey, openedAt: stored.openedAt, seenAt: now)
            try await catalogue.markDeviceSeen(serialKey: stored.serialKey, at: now)
            return stored.serialKey
        }
        guard now - session.openedAt < deviceSessionLifetime else { return nil }
        if await deviceSessions.shouldRecordSeen(session.serialKey, now: now) {
            try await catalogue.markDeviceSeen(serialKey: session.serialKey, at: now)
        }
        return session.serialKey
    }

    /// Ends every session of a device (a device reported stolen, a key leaked): its next request
    /// is told to open a new one, which needs its serial's key.
    public func revokeDeviceSessions(brandID: String, model: String, serial: String, by principal: Principal)
        async throws -> Int
    {
        try principal.requireActing(for: brandID)
        let serialKey = "\(brandID)/\(model)/\(serial)"
        guard try await catalogue.device(brandID: brandID, model: model, serial: serial) != nil else {
            throw StoreError(.notFound, "no device \(serialKey) in the inventory")
        }
        let count = try await catalogue.deleteDeviceSessions(serialKey: serialKey)
        await deviceSessions.forget(device: serialKey)
        return count
    }
}
