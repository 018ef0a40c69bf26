import Assertions

/// Nonces handed out and device sessions opened (`api/v1/snaps/auth/nonces|sessions`), kept in
/// memory: after a restart devices are told to open a new session, as snapd does on
/// `refresh_device_session=1`.
public actor DeviceSessions {
    private var nonces: [String: Int64] = [:]
    private var sessions: [String: String] = [:]

    public init() {}

    func issueNonce(now: Int64) -> String {
        nonces = nonces.filter { $0.value > now }
        let nonce = Identifiers.random(count: 32)
        nonces[nonce] = now + 300
        return nonce
    }

    /// A nonce is good once, for five minutes.
    func consume(_ nonce: String, now: Int64) -> Bool {
        guard let expiry = nonces.removeValue(forKey: nonce) else { return false }
        return expiry > now
    }

    func open(serialKey: String) -> String {
        let token = Identifiers.random(count: 48)
        sessions[token] = serialKey
        return token
    }

    /// `brand/model/serial` of a session.
    public func serialKey(for token: String) -> String? {
        sessions[token]
    }
}

extension SnapStore {
    public func issueNonce() async -> String {
        await deviceSessions.issueNonce(now: clock().seconds)
    }

    /// Opens a session for a device that proves it holds its serial's key: the model verifies
    /// against the brand's registered key, the serial against the brand (or the model's serial
    /// authority), and the session request against the serial's device key, with a fresh nonce.
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
        guard await deviceSessions.consume(request.nonce, now: clock().seconds) else {
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
        return await deviceSessions.open(serialKey: "\(request.brandID)/\(request.model)/\(request.serial)")
    }
}
