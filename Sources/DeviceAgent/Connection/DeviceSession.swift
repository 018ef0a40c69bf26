import Assertions
import Foundation
import StoreProtocol

/// A device session as snapd's store package opens one (`store/auth.go`): a nonce, then a
/// `device-session-request` signed with the device key, sent with the serial and the model.
public enum DeviceSession {
    /// The session's macaroon, for `Snap-Device-Authorization`.
    public static func open(_ connection: StoreConnection, key: PrivateKey, serial: Serial, model: Model)
        async throws -> String
    {
        let nonceAnswer = try await connection.send("/api/v1/snaps/auth/nonces", method: .POST)
        guard nonceAnswer.status == 200,
            let nonce = try? WireJSON.literalDecoder.decode(DeviceNonce.self, from: nonceAnswer.body).nonce
        else { throw DeviceAgentError("the store gave no nonce: \(nonceAnswer.refusal)") }
        let request = try AssertionSigner.sign(
            headers: [
                "type": "device-session-request", "brand-id": .string(serial.brandID), "model": .string(serial.model),
                "serial": .string(serial.serial), "nonce": .string(nonce), "timestamp": .string(Timestamp.now().text),
            ], key: key)
        let body = try WireJSON.literalEncoder.encode(
            DeviceSessionRequest(
                deviceSessionRequest: request.encodedText, serialAssertion: serial.assertion.encodedText,
                modelAssertion: model.assertion.encodedText))
        let answer = try await connection.send(
            "/api/v1/snaps/auth/sessions", method: .POST, body: body, headers: ["Content-Type": "application/json"])
        guard answer.status == 200,
            let macaroon = try? WireJSON.literalDecoder.decode(DeviceSessionMacaroon.self, from: answer.body).macaroon
        else { throw DeviceAgentError("the store opened no device session: \(answer.refusal)") }
        return macaroon
    }
}
