import Assertions
import Foundation
import NIOHTTP1
import StoreProtocol

/// A device's first contact with the store, as snapd's `devicestate` makes it
/// (`overlord/devicestate/handlers_serial.go`): ask for a request-id, sign a `serial-request` with
/// the device key, post it with the model, come back while the vault answers 202, then check the
/// serial it returns.
public struct SerialRegistration: Sendable {
    public let connection: StoreConnection
    public let model: Model
    /// Longest wait between two tries when the vault answers 202; snapd waits a minute.
    public let maximumRetryWait: Int
    /// How long to keep coming back before giving up on a vault that only answers 202.
    public let giveUpAfter: Int
    /// The serial the device proposes (snapd's `registration.proposed-serial`); nil for none.
    public let proposedSerial: String?
    /// Headers sent with both requests to the vault (snapd's `device-service.headers`).
    public let serviceHeaders: [String: String]

    public init(
        connection: StoreConnection, model: Model, maximumRetryWait: Int, giveUpAfter: Int,
        proposedSerial: String? = nil, serviceHeaders: [String: String] = [:]
    ) {
        self.serviceHeaders = serviceHeaders
        self.connection = connection
        self.model = model
        self.maximumRetryWait = maximumRetryWait
        self.giveUpAfter = giveUpAfter
        self.proposedSerial = proposedSerial
    }

    public func register(deviceKey: PrivateKey, trust: TrustDatabase) async throws -> (
        serial: Serial, stream: [Assertion]
    ) {
        let idAnswer = try await connection.send(
            "/api/v1/snaps/auth/request-id", method: .POST, headers: serviceHeaders)
        guard idAnswer.status == 200,
            let requestID = try? WireJSON.literalDecoder.decode(SerialRequestID.self, from: idAnswer.body).requestID
        else { throw DeviceAgentError("the store gave no request-id: \(idAnswer.refusal)") }
        var headers: Headers = [
            "brand-id": .string(model.brandID), "model": .string(model.model), "request-id": .string(requestID),
            "device-key": .string(deviceKey.publicKey.encoded),
        ]
        if let proposedSerial { headers["serial"] = .string(proposedSerial) }
        let request = try AssertionSigner.sign(type: .serialRequest, headers: headers, key: deviceKey)
        let body = Data(AssertionStream.encode([request, model.assertion]))
        var waited = 0
        while true {
            let answer = try await connection.send(
                "/api/v1/snaps/auth/devices", method: .POST, body: body,
                headers: serviceHeaders.merging([
                    "Content-Type": "application/x.ubuntu.assertion", "Snap-Device-Capabilities": "serial-stream",
                ]) { _, snapd in snapd })
            switch answer.status {
            case 200, 201:
                return try check(answer.body, deviceKey: deviceKey, trust: trust)
            case 202:
                guard waited < giveUpAfter else {
                    throw DeviceAgentError(
                        "the serial vault still asks to wait after \(waited) s: is the request approved?")
                }
                let wait = max(
                    1, min(answer.headers.first(name: "Retry-After").flatMap(Int.init) ?? 60, maximumRetryWait))
                try await Task.sleep(for: .seconds(wait))
                waited += wait
            default:
                throw DeviceAgentError("the serial vault refused: \(answer.refusal)")
            }
        }
    }

    /// The serial must be for this brand, model and key, and verify against the device's roots
    /// with the chain that came with it, as snapd adds it to its assertion database.
    private func check(_ body: Data, deviceKey: PrivateKey, trust: TrustDatabase) throws -> (Serial, [Assertion]) {
        let stream = try AssertionStream.decode(Array(body))
        let serials = stream.filter { $0.type == .serial }
        guard serials.count == 1, let assertion = serials.first else {
            throw DeviceAgentError("the vault answered \(serials.count) serial assertions instead of one")
        }
        let serial = try Serial(assertion)
        guard serial.brandID == model.brandID, serial.model == model.model,
            serial.deviceKey.id == deviceKey.publicKey.id
        else {
            throw DeviceAgentError("the vault's serial is for \(serial.brandID)/\(serial.model) and another key")
        }
        var database = trust
        let refused = database.addAll(stream)
        if let failure = refused.first {
            throw DeviceAgentError("the serial does not verify: \(failure.assertion): \(failure.error.message)")
        }
        return (serial, stream)
    }
}
