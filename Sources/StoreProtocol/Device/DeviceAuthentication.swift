/// The bodies of the calls a device makes to be known to the store (snapd's `store/auth.go` and
/// `overlord/devicestate/handlers_serial.go`), shared by the store that answers them and the
/// agent that sends them.

/// `POST /api/v1/snaps/auth/request-id` (and the serial vault's): the id a serial-request carries.
public struct SerialRequestID: Codable, Sendable, Equatable {
    public var requestID: String

    public init(requestID: String) {
        self.requestID = requestID
    }

    enum CodingKeys: String, CodingKey {
        case requestID = "request-id"
    }
}

/// `POST /api/v1/snaps/auth/nonces`.
public struct DeviceNonce: Codable, Sendable, Equatable {
    public var nonce: String

    public init(nonce: String) {
        self.nonce = nonce
    }
}

/// `POST /api/v1/snaps/auth/sessions`: three assertions as text.
public struct DeviceSessionRequest: Codable, Sendable, Equatable {
    public var deviceSessionRequest: String
    public var serialAssertion: String
    public var modelAssertion: String

    public init(deviceSessionRequest: String, serialAssertion: String, modelAssertion: String) {
        self.deviceSessionRequest = deviceSessionRequest
        self.serialAssertion = serialAssertion
        self.modelAssertion = modelAssertion
    }

    enum CodingKeys: String, CodingKey {
        case deviceSessionRequest = "device-session-request"
        case serialAssertion = "serial-assertion"
        case modelAssertion = "model-assertion"
    }
}

/// The answer to a session request: the macaroon for `Snap-Device-Authorization`.
public struct DeviceSessionMacaroon: Codable, Sendable, Equatable {
    public var macaroon: String

    public init(macaroon: String) {
        self.macaroon = macaroon
    }
}
