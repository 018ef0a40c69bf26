import Assertions
import Foundation
import StoreCore
import StoreTestSupport
import TestSupport
import Testing

/// Nonce and session as snapd's device does them (`store/auth.go`): the store checks the model, the
/// serial and the session request, and hands out a session that names the device.
@Suite struct DeviceSessionTests {
    @Test func aRegisteredDeviceOpensASession() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let acme = try await fixture.publisher("acme", id: "acme-brand")
        let brandKey = try PrivateKey.generate(bits: 2048)
        let deviceKey = try PrivateKey.generate(bits: 1024)
        _ = try await fixture.store.registerKey(
            accountID: "acme-brand", name: "models", publicKey: brandKey.publicKey, by: acme)
        let now = Timestamp.now().text
        let model = try AssertionSigner.sign(
            headers: [
                "type": "model", "authority-id": "acme-brand", "brand-id": "acme-brand", "series": "16",
                "model": "my-pi3",
                "architecture": "armhf", "gadget": "pi3", "kernel": "pi2-kernel", "timestamp": .string(now),
            ], key: brandKey)
        let serial = try AssertionSigner.sign(
            headers: [
                "type": "serial", "authority-id": "acme-brand", "brand-id": "acme-brand", "model": "my-pi3",
                "serial": "S-1",
                "device-key": .string(deviceKey.publicKey.encoded), "device-key-sha3-384": .string(deviceKey.id),
                "timestamp": .string(now),
            ], key: brandKey)
        func sessionRequest(nonce: String, key: PrivateKey) throws -> String {
            try AssertionSigner.sign(
                headers: [
                    "type": "device-session-request", "brand-id": "acme-brand", "model": "my-pi3", "serial": "S-1",
                    "nonce": .string(nonce), "timestamp": .string(now),
                ], key: key
            ).encodedText
        }
        let nonce = try await fixture.store.issueNonce()
        let token = try await fixture.store.openDeviceSession(
            request: try sessionRequest(nonce: nonce, key: deviceKey), serial: serial.encodedText,
            model: model.encodedText)
        #expect(try await fixture.store.deviceSerialKey(session: token) == "acme-brand/my-pi3/S-1")
        // The session is in the inventory: a restarted store still knows the device behind it.
        let (reopened, _, _) = try await fixture.directory.openStore(keyBits: 2048)
        #expect(try await reopened.deviceSerialKey(session: token) == "acme-brand/my-pi3/S-1")
        let seen = try await reopened.devices(DeviceFilter(serial: "S-1"), by: .admin)
        #expect(seen.count == 1 && seen.first?.registeredAt == nil && seen.first?.lastSession != nil)
        #expect(seen.first?.deviceKeyID == deviceKey.id)
        await #expect(throws: StoreError.self) {
            _ = try await fixture.store.openDeviceSession(
                request: try sessionRequest(nonce: nonce, key: deviceKey), serial: serial.encodedText,
                model: model.encodedText)
        }
        let other = try await fixture.store.issueNonce()
        await #expect(throws: StoreError.self) {
            _ = try await fixture.store.openDeviceSession(
                request: try sessionRequest(nonce: other, key: try PrivateKey.generate(bits: 1024)),
                serial: serial.encodedText,
                model: model.encodedText)
        }
    }

    @Test func anUnknownSessionAsksSnapdForANewOne() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let server = try ServerProcess(data: fixture.folder.appendingPathComponent("served").path)
        defer { server.stop() }
        var request = HTTPClientRequestBuilder.make(server.url + "/v2/snaps/refresh", method: .POST)
        request.headers.add(name: "Snap-Device-Authorization", value: "Macaroon root=\"forgotten\"")
        request.body = .bytes(.init(string: #"{"context": [], "actions": []}"#))
        let (status, headers, _) = try await HTTPClientRequestBuilder.execute(request)
        #expect(status == 401)
        #expect(headers["www-authenticate"]?.contains("refresh_device_session=1") == true)
        let nonce = try await server.request(.POST, "/api/v1/snaps/auth/nonces")
        #expect((try nonce.json()["nonce"] as? String)?.isEmpty == false)
    }
}
