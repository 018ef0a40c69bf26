/// A set of assertions that have passed snapd's checks (`asserts/database.go`), grown from a few
/// directly trusted ones: a root authority's `account` and `account-key`.
///
/// Every `add` checks, in snapd's order: the format is supported, the signing key is known and
/// belongs to the authority, the key is valid now, the signature verifies, the timestamp lies in
/// the key's validity, the type's consistency rules hold against what is already here, and no
/// trusted assertion is being replaced.
public struct TrustDatabase: Sendable {
    private var trusted: [String: Assertion] = [:]
    private var stored: [String: Assertion] = [:]
    /// The moment keys must be valid at; tests and offline replays pin it.
    public var now: Timestamp

    /// `trusted` holds the root assertions, accepted without checks (snapd's `Trusted` config).
    public init(trusted: [Assertion], now: Timestamp = .now()) throws(AssertionError) {
        self.now = now
        for assertion in trusted {
            guard assertion.type == .account || assertion.type == .accountKey else {
                throw AssertionError(
                    .trust, "only account and account-key assertions can be trusted roots, not \(assertion.type.name)")
            }
            self.trusted[assertion.reference.path] = assertion
        }
    }

    /// Trusted roots plus everything added.
    public var assertions: [Assertion] {
        Array(trusted.values) + Array(stored.values)
    }

    public func isTrustedAccount(_ accountID: String) -> Bool {
        !accountID.isEmpty && trusted[AssertionReference(.account, [accountID]).path] != nil
    }

    public func find(_ reference: AssertionReference) -> Assertion? {
        trusted[reference.path] ?? stored[reference.path]
    }

    public func all(of type: AssertionType) -> [Assertion] {
        assertions.filter { $0.type == type }
    }

    /// The newest assertion of a sequence-forming type for a sequence key, e.g. a validation set.
    public func latest(_ type: AssertionType, sequenceKey: [String]) -> Assertion? {
        all(of: type).filter { Array($0.primaryKey.dropLast()) == sequenceKey }
            .max { (Int($0.primaryKey.last ?? "") ?? 0) < (Int($1.primaryKey.last ?? "") ?? 0) }
    }

    /// Checks an assertion against what is here without adding it.
    public func check(_ assertion: Assertion) throws(AssertionError) {
        guard assertion.format <= assertion.type.maxSupportedFormat else {
            throw AssertionError(
                .trust,
                "proposed \"\(assertion.type.name)\" assertion has format \(assertion.format) but \(assertion.type.maxSupportedFormat) is latest supported"
            )
        }
        if assertion.type.hasAuthority {
            let key = try signingKey(of: assertion)
            guard now >= key.since, key.until.map({ now < $0 }) ?? true else {
                throw AssertionError(
                    .trust,
                    "assertion is signed with expired public key \"\(key.keyID)\" from \"\(key.accountID)\": current time is \(now) but \(key.validityDescription)"
                )
            }
            try key.publicKey.verify(content: assertion.content, signature: assertion.signature)
            if let timestamp = assertion.timestamp, !key.isValid(at: timestamp) {
                throw AssertionError(
                    .trust,
                    "\(assertion.type.name) assertion timestamp \"\(timestamp)\" outside of signing key validity (\(key.validityDescription))"
                )
            }
        } else {
            try verifyDeviceSigned(assertion)
        }
        try assertion.type.checkConsistency(assertion, self)
    }

    /// Checks and stores an assertion. Adding one that is already here is a no-op; a different
    /// assertion with the same primary key must have a higher revision.
    public mutating func add(_ assertion: Assertion) throws(AssertionError) {
        guard !assertion.type.primaryKey.isEmpty else {
            throw AssertionError(
                .trust, "\(assertion.type.name) assertions have no primary key and cannot be stored; check them instead"
            )
        }
        try check(assertion)
        let path = assertion.reference.path
        if trusted[path] != nil {
            throw AssertionError(
                .trust,
                "cannot add \"\(assertion.type.name)\" assertion with primary key clashing with a trusted assertion: \(assertion.primaryKey)"
            )
        }
        if let current = stored[path] {
            if current == assertion { return }
            guard assertion.revision > current.revision else {
                throw AssertionError(
                    .trust,
                    "revision \(assertion.revision) of \(assertion.reference) is not newer than the stored revision \(current.revision)"
                )
            }
        }
        stored[path] = assertion
    }

    /// Replaces each stored assertion with the equal one `shared` gives: many holders of the same
    /// assertions (a fleet of simulated devices) keep one copy of each.
    public mutating func share(_ shared: (Assertion) -> Assertion) {
        stored = stored.mapValues(shared)
    }

    /// Adds a batch in whatever order it comes, retrying until nothing more can be added, as a
    /// client does with an `.assert` file. Returns the assertions that were refused, each with why.
    @discardableResult
    public mutating func addAll(_ assertions: [Assertion]) -> [(assertion: Assertion, error: AssertionError)] {
        var pending = assertions
        while true {
            var failed: [(assertion: Assertion, error: AssertionError)] = []
            for assertion in pending {
                do {
                    if assertion.type.primaryKey.isEmpty {
                        try check(assertion)
                    } else {
                        try add(assertion)
                    }
                } catch {
                    failed.append((assertion, error))
                }
            }
            if failed.isEmpty || failed.count == pending.count { return failed }
            pending = failed.map(\.assertion)
        }
    }

    func requireTrustedAuthority(_ assertion: Assertion, _ what: String) throws(AssertionError) {
        guard isTrustedAccount(assertion.authorityID) else {
            throw AssertionError(
                .trust, "\(what) is not signed by a directly trusted authority: \(assertion.authorityID)")
        }
    }

    /// The `account` an assertion names must already be here; `missing` says what is missing.
    func requireAccount(_ accountID: String, _ missing: @autoclosure () -> String) throws(AssertionError) {
        guard find(AssertionReference(.account, [accountID])) != nil else {
            throw AssertionError(.trust, missing())
        }
    }

    private func signingKey(of assertion: Assertion) throws(AssertionError) -> AccountKey {
        let keyID = assertion.signKeyID
        guard let found = find(AssertionReference(.accountKey, [keyID])) else {
            throw AssertionError(
                .trust,
                "account-key \(keyID) not found: no matching public key for signature by \"\(assertion.authorityID)\"")
        }
        let key = try AccountKey(found)
        guard key.accountID == assertion.authorityID else {
            throw AssertionError(
                .trust,
                "found public key \"\(keyID)\" from \"\(key.accountID)\" but expected it from: \(assertion.authorityID)"
            )
        }
        return key
    }

    /// Device-signed types carry no authority: a serial-request is signed by the key it presents;
    /// a device-session-request by the key of the serial it names, which must be here.
    private func verifyDeviceSigned(_ assertion: Assertion) throws(AssertionError) {
        switch assertion.type {
        case .serialRequest:
            let request = try SerialRequest(assertion)
            try request.deviceKey.verify(content: assertion.content, signature: assertion.signature)
        case .deviceSessionRequest:
            let request = try DeviceSessionRequest(assertion)
            let reference = AssertionReference(.serial, [request.brandID, request.model, request.serial])
            guard let found = find(reference) else {
                throw AssertionError(
                    .trust, "\(reference) not found: cannot check the device-session-request signature")
            }
            let serial = try Serial(found)
            guard serial.deviceKey.id == assertion.signKeyID else {
                throw AssertionError(
                    .trust, "device-session-request is not signed by the device key of \(reference)")
            }
            try serial.deviceKey.verify(content: assertion.content, signature: assertion.signature)
        case .accountKeyRequest:
            let request = try AccountKeyRequest(assertion)
            guard request.publicKey.id == assertion.signKeyID else {
                throw AssertionError(.trust, "account-key-request is not signed by the key it asks to register")
            }
            try request.publicKey.verify(content: assertion.content, signature: assertion.signature)
        default:
            throw AssertionError(.trust, "cannot check no-authority assertion type \"\(assertion.type.name)\"")
        }
    }
}
