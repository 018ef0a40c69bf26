import Assertions

/// What the vault answers a serial-request: the serial with its signing chain, or "come back later".
public enum SerialAnswer: Sendable {
    case issued(serial: Assertion, chain: [Assertion])
    case pending(retryAfter: Int64)
}

extension SnapStore {
    /// How long a request-id stays usable, in seconds.
    static let requestIDLifetime: Int64 = 86400

    public func issueSerialRequestID() async throws -> String {
        let requestID = Identifiers.random(count: 32)
        let now = clock().seconds
        try await catalogue.addSerialRequestID(
            requestID, issuedAt: now, expiredBefore: now - Self.requestIDLifetime)
        return requestID
    }

    /// Gives the vault a signing key of an account whose `account-key` the store holds: a brand's
    /// key, or that of an account its models name as `serial-authority`.
    public func addVaultKey(_ key: PrivateKey, accountID: String, by principal: Principal) async throws {
        try principal.requireActing(for: accountID)
        guard let registered = try await catalogue.assertion(AssertionReference(.accountKey, [key.id])) else {
            throw StoreError(
                .invalid,
                "key \(key.id) is not registered: `snapdepot key register KEY --account \(accountID)` first")
        }
        guard registered.string("account-id") == accountID else {
            throw StoreError(.forbidden, "key \(key.id) is registered for account \(registered.string("account-id"))")
        }
        try await vault.add(key)
    }

    /// Ids of the vault's keys that belong to `accountID`.
    public func vaultKeyIDs(accountID: String, by principal: Principal) async throws -> [String] {
        try principal.requireActing(for: accountID)
        var result: [String] = []
        for id in try await vault.keyIDs() {
            let key = try await catalogue.assertion(AssertionReference(.accountKey, [id]))
            if key?.string("account-id") == accountID { result.append(id) }
        }
        return result
    }

    /// A brand's vault policy (open when it set none); the brand's or the admin's to read.
    public func vaultPolicy(brandID: String, by principal: Principal) async throws -> VaultPolicy {
        try principal.requireActing(for: brandID)
        return try await catalogue.vaultPolicy(brandID: brandID) ?? .open(brandID)
    }

    /// Every brand's policy that is not open, for `serve` to show at start.
    public func vaultPolicies() async throws -> [VaultPolicy] {
        try await catalogue.vaultPolicies().filter { $0.mode != .open }
    }

    /// Sets a brand's vault policy. For `.apiKey` a new key is made and returned, once: the store
    /// keeps its hash, and the key it replaces stops working at once.
    public func setVaultPolicy(
        brandID: String, mode: VaultPolicy.Mode, serialPatterns: [String] = [], by principal: Principal
    ) async throws -> (policy: VaultPolicy, apiKey: String?) {
        try principal.requireActing(for: brandID)
        guard try await catalogue.account(id: brandID) != nil else {
            throw StoreError(.notFound, "no account \"\(brandID)\"")
        }
        switch mode {
        case .serials:
            guard !serialPatterns.isEmpty else {
                throw StoreError(.invalid, "a serials policy needs at least one serial pattern, like PI3-*")
            }
            for pattern in serialPatterns
            where pattern.isEmpty || pattern.count > 128 || pattern.contains("/")
                || pattern.contains(where: \.isNewline)
            {
                throw StoreError(
                    .invalid, "serial pattern \"\(pattern)\" is empty, too long, or holds \"/\" or a line break")
            }
        case .open, .apiKey:
            guard serialPatterns.isEmpty else {
                throw StoreError(.invalid, "serial patterns belong to a serials policy, not \(mode.rawValue)")
            }
        }
        let apiKey = mode == .apiKey ? "sdv_" + Identifiers.random(count: 40) : nil
        let policy = VaultPolicy(
            brandID: brandID, mode: mode, apiKeyHash: apiKey.map(Self.hash), serialPatterns: serialPatterns)
        try await catalogue.saveVaultPolicy(policy)
        return (policy, apiKey)
    }

    /// A device's serial-request (snapd's `serial-request` then its `model`, as one assertion
    /// stream): checked, then answered with a serial signed for the brand, numbered from the model's
    /// sequence or as the device proposed, and the device recorded in the inventory.
    /// `apiKey` is what the device sent in the `api-key` header, for a brand whose policy asks for it.
    public func requestSerial(_ body: [UInt8], apiKey: String? = nil) async throws -> SerialAnswer {
        let (request, model) = try Self.parseSerialRequest(body)
        let now = clock().seconds
        // The request-id and the brand's policy first: a request that cannot be served costs no
        // signature checks.
        try await checkRequestID(request, now: now)
        let policy = try await catalogue.vaultPolicy(brandID: model.brandID) ?? .open(model.brandID)
        if let refusal = policy.refusal(apiKey: apiKey, proposedSerial: request.proposedSerial) {
            throw StoreError(.forbidden, refusal)
        }
        let database = try await trustDatabase(for: [])
        do {
            try database.check(request.assertion)
        } catch {
            throw StoreError(.invalid, "the serial-request does not verify: \(error.message)")
        }
        do {
            try database.check(model.assertion)
        } catch {
            throw StoreError(
                .invalid, "the model \(model.brandID)/\(model.model) does not verify: \(error.message)")
        }
        let modelReference = AssertionReference(.model, ["16", model.brandID, model.model])
        guard try await catalogue.assertion(modelReference) != nil else {
            throw StoreError(
                .notFound,
                "unknown model \(model.brandID)/\(model.model): this store's vault serves only the models it holds "
                    + "(import it with `snapdepot assertions import`)")
        }
        if let registered = try await catalogue.device(keyID: request.deviceKey.id) {
            // As Canonical's Serial Vault: a device key is signed once (a device reset makes a new key).
            throw StoreError(
                .conflict,
                "device key \(request.deviceKey.id) is already registered for serial \(registered.serialKey)")
        }
        let record = try await catalogue.serialRequest(id: request.requestID)
        let firstPosted = record?.firstPostedAt ?? now
        if record?.deviceKeyID == nil {
            try await catalogue.markSerialRequestPending(
                id: request.requestID, deviceKeyID: request.deviceKey.id, at: now)
        }
        let delay = vault.approvalDelay
        if now - firstPosted < delay {
            return .pending(retryAfter: delay - (now - firstPosted))
        }
        let signingKey = try await vaultKey(for: model)
        let serial = try await serialNumber(proposed: request.proposedSerial, model: model)
        let signed: Assertion
        do {
            signed = try AssertionSigner.sign(
                type: .serial,
                headers: [
                    "authority-id": .string(signingKey.accountID), "brand-id": .string(model.brandID),
                    "model": .string(model.model), "serial": .string(serial),
                    "device-key": .string(request.deviceKey.encoded),
                    "device-key-sha3-384": .string(request.deviceKey.id), "timestamp": .string(clock().text),
                ], body: request.assertion.body, key: signingKey.key)
        } catch {
            throw StoreError(.invalid, "cannot sign serial \(serial): \(error.message)")
        }
        try await catalogue.registerDevice(
            DeviceRecord(
                brandID: model.brandID, model: model.model, serial: serial, deviceKeyID: request.deviceKey.id,
                registeredAt: now, signedBy: signingKey.key.id, firstSeen: now, lastSeen: now, lastSession: nil),
            serial: signed, requestID: request.requestID)
        return .issued(serial: signed, chain: signingKey.chain)
    }

    /// The device's proposal when it made one, else the model's next number no device holds yet
    /// (a device may have proposed it).
    private func serialNumber(proposed: String, model: Model) async throws -> String {
        if !proposed.isEmpty {
            if try await catalogue.device(brandID: model.brandID, model: model.model, serial: proposed) != nil {
                throw StoreError(
                    .conflict,
                    "serial \(proposed) of \(model.brandID)/\(model.model) is already taken by another device")
            }
            return proposed
        }
        while true {
            let next = String(try await catalogue.allocateSerialNumber(brandID: model.brandID, model: model.model))
            if try await catalogue.device(brandID: model.brandID, model: model.model, serial: next) == nil {
                return next
            }
        }
    }

    public func devices(_ filter: DeviceFilter, by principal: Principal) async throws -> [DeviceRecord] {
        var filter = filter
        if !principal.isAdmin {
            guard let accountID = principal.accountID else { throw StoreError(.forbidden, "no account") }
            if let brand = filter.brandID, brand != accountID {
                throw StoreError(.forbidden, "this token cannot see the devices of \(brand)")
            }
            filter.brandID = accountID
        }
        return try await catalogue.devices(filter)
    }

    /// One device of the inventory with what it last reported and what happened to its snaps.
    public struct DeviceDetail: Sendable, Codable {
        public let device: DeviceRecord
        public let serialAssertion: String?
        public let installed: [InstalledSnapRecord]
        public let history: [DeviceSnapEvent]
        /// When each of its sessions the store holds was opened (the newest two at most).
        public let sessionsOpened: [Int64]
    }

    public func deviceDetail(brandID: String, model: String, serial: String, by principal: Principal) async throws
        -> DeviceDetail
    {
        guard
            let device = try await devices(DeviceFilter(brandID: brandID, model: model, serial: serial), by: principal)
                .first
        else {
            throw StoreError(.notFound, "no device \(brandID)/\(model)/\(serial) in the inventory")
        }
        let assertion = try await catalogue.assertion(AssertionReference(.serial, [brandID, model, serial]))
        return DeviceDetail(
            device: device, serialAssertion: assertion?.encodedText,
            installed: try await catalogue.installedSnaps(serialKey: device.serialKey),
            history: try await catalogue.deviceEvents(serialKey: device.serialKey),
            sessionsOpened: try await catalogue.deviceSessions(serialKey: device.serialKey))
    }

    private static func parseSerialRequest(_ body: [UInt8]) throws -> (SerialRequest, Model) {
        let stream: [Assertion]
        do {
            stream = try AssertionStream.decode(body)
        } catch {
            throw StoreError(.invalid, "cannot decode the serial request: \(error.message)")
        }
        guard stream.count >= 2, stream[0].type == .serialRequest, stream[1].type == .model else {
            throw StoreError(
                .invalid, "expected a serial-request followed by the device's model, got \(stream.map(\.type.name))")
        }
        guard stream.count == 2 else {
            throw StoreError(.invalid, "re-registration (a serial-request with the old serial) is not supported")
        }
        let request: SerialRequest
        let model: Model
        do {
            request = try SerialRequest(stream[0])
            model = try Model(stream[1])
        } catch {
            throw StoreError(.invalid, "invalid serial request: \(error.message)")
        }
        guard request.brandID == model.brandID, request.model == model.model else {
            throw StoreError(
                .invalid,
                "the serial-request is for \(request.brandID)/\(request.model) but the model is "
                    + "\(model.brandID)/\(model.model)")
        }
        if request.proposedSerial.contains("/") {
            throw StoreError(.invalid, "a proposed serial cannot contain \"/\"")
        }
        return (request, model)
    }

    /// A request-id is good once, for one device key, for a day.
    private func checkRequestID(_ request: SerialRequest, now: Int64) async throws {
        guard let record = try await catalogue.serialRequest(id: request.requestID) else {
            throw StoreError(
                .invalid, "unknown request-id \"\(request.requestID)\": ask for one at request-id first")
        }
        if let serial = record.issuedSerial {
            throw StoreError(
                .conflict,
                "request-id \"\(request.requestID)\" was already used for serial \(serial): a serial-request cannot be replayed"
            )
        }
        if let owner = record.deviceKeyID, owner != request.deviceKey.id {
            throw StoreError(.conflict, "request-id \"\(request.requestID)\" belongs to another device key")
        }
        if now - record.issuedAt > Self.requestIDLifetime {
            throw StoreError(.invalid, "request-id \"\(request.requestID)\" expired: ask for a new one")
        }
    }

    /// A vault key of the brand, else of an account the model names as serial authority, with
    /// the assertions a device needs to check it: its account-key and the account.
    private func vaultKey(for model: Model) async throws -> (accountID: String, key: PrivateKey, chain: [Assertion]) {
        let now = clock()
        for accountID in model.serialAuthority {
            for id in try await vault.keyIDs() {
                guard let accountKey = try await catalogue.assertion(AssertionReference(.accountKey, [id])),
                    accountKey.string("account-id") == accountID,
                    let key = try await vault.key(id: id)
                else { continue }
                if let until = Timestamp.parse(accountKey.string("until")), until <= now { continue }
                let account = try await catalogue.assertion(AssertionReference(.account, [accountID]))
                // Down to the roots, so that a device needs nothing else: the store's key signed both.
                let storeKey = identity.trusted.contains(identity.storeAccountKey) ? [] : [identity.storeAccountKey]
                return (accountID, key, [accountKey] + (account.map { [$0] } ?? []) + storeKey)
            }
        }
        throw StoreError(
            .conflict,
            "the serial vault holds no key of \(model.serialAuthority.joined(separator: " or ")): "
                + "`snapdepot vault add-key KEY --account \(model.brandID)`")
    }
}
