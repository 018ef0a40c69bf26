/// `serial`: a device's identity, binding brand, model and serial to its device key, signed by the
/// brand or an account in the model's `serial-authority` (`asserts/serial_asserts.go`).
public struct Serial: Sendable {
    public let assertion: Assertion
    public let deviceKey: PublicKey
    public let timestamp: Timestamp

    public init(_ assertion: Assertion) throws(AssertionError) {
        let checks = HeaderChecks(assertion.headers)
        _ = try checks.string("brand-id", matching: .accountID)
        _ = try Model.checkModelName(checks)
        deviceKey = try PublicKey(encoded: try checks.notEmptyString("device-key"))
        guard try checks.notEmptyString("device-key-sha3-384") == deviceKey.id else {
            throw AssertionError(.invalid, "device key does not match provided key id")
        }
        timestamp = try checks.date("timestamp")
        self.assertion = assertion
    }

    public var brandID: String { assertion.string("brand-id") }
    public var model: String { assertion.string("model") }
    public var serial: String { assertion.string("serial") }
}

extension AssertionType {
    public static let serial: AssertionType = AssertionType(
        name: "serial", primaryKey: ["brand-id", "model", "serial"],
        validate: { assertion throws(AssertionError) in _ = try Serial(assertion) },
        checkConsistency: { assertion, database throws(AssertionError) in
            let serial = try Serial(assertion)
            guard assertion.authorityID != serial.brandID else { return }
            let model = database.find(AssertionReference(.model, ["16", serial.brandID, serial.model]))
            let allowed = try model.map { (found) throws(AssertionError) in try Model(found).serialAuthority } ?? []
            guard allowed.contains(assertion.authorityID) else {
                throw AssertionError(
                    .trust,
                    "serial with authority \"\(assertion.authorityID)\" different from brand \"\(serial.brandID)\" without model assertion with serial-authority set to to allow for them"
                )
            }
        })
}

/// `serial-request`: what a device sends to ask for a serial, self-signed with its new device key.
public struct SerialRequest: Sendable {
    public let assertion: Assertion
    public let deviceKey: PublicKey

    public init(_ assertion: Assertion) throws(AssertionError) {
        let checks = HeaderChecks(assertion.headers)
        _ = try checks.notEmptyString("brand-id")
        _ = try Model.checkModelName(checks)
        _ = try checks.notEmptyString("request-id")
        _ = try checks.optionalString("serial")
        deviceKey = try PublicKey(encoded: try checks.notEmptyString("device-key"))
        guard deviceKey.id == assertion.signKeyID else {
            throw AssertionError(.invalid, "device key does not match included signing key id")
        }
        self.assertion = assertion
    }

    public var brandID: String { assertion.string("brand-id") }
    public var model: String { assertion.string("model") }
    public var requestID: String { assertion.string("request-id") }
    public var proposedSerial: String { assertion.string("serial") }
}

extension AssertionType {
    public static let serialRequest: AssertionType = AssertionType(
        name: "serial-request", primaryKey: [], hasAuthority: false,
        validate: { assertion throws(AssertionError) in _ = try SerialRequest(assertion) })
}

/// `device-session-request`: a device proves it holds the key of its serial, to open a store session.
public struct DeviceSessionRequest: Sendable {
    public let assertion: Assertion
    public let timestamp: Timestamp

    public init(_ assertion: Assertion) throws(AssertionError) {
        let checks = HeaderChecks(assertion.headers)
        _ = try Model.checkModelName(checks)
        _ = try checks.notEmptyString("nonce")
        timestamp = try checks.date("timestamp")
        self.assertion = assertion
    }

    public var brandID: String { assertion.string("brand-id") }
    public var model: String { assertion.string("model") }
    public var serial: String { assertion.string("serial") }
    public var nonce: String { assertion.string("nonce") }
}

extension AssertionType {
    public static let deviceSessionRequest: AssertionType = AssertionType(
        name: "device-session-request", primaryKey: ["brand-id", "model", "serial"], hasAuthority: false,
        validate: { assertion throws(AssertionError) in _ = try DeviceSessionRequest(assertion) })
}
