import Assertions
import Foundation
import StoreCore
import StoreTestSupport
import TestSupport
import Testing

/// The serial vault's rules, in process: numbering, proposed serials, serial authorities, one
/// serial per request and per key, and who may give the vault a key.
@Suite struct SerialVaultServiceTests {
    struct Brand {
        let fixture: StoreFixture
        let key: PrivateKey
        let model: Assertion

        static func make(
            _ engine: CatalogueEngine, serialAuthority: [String]? = nil, vaultKey: Bool = true
        ) async throws -> Brand {
            let fixture = try await StoreFixture.make(engine: engine)
            let acme = try await fixture.publisher("acme", id: "acme-brand")
            let key = try PrivateKey.generate(bits: 2048)
            _ = try await fixture.store.registerKey(
                accountID: "acme-brand", name: "models", publicKey: key.publicKey, by: acme)
            if vaultKey { try await fixture.store.addVaultKey(key, accountID: "acme-brand", by: acme) }
            var headers: Headers = [
                "type": "model", "authority-id": "acme-brand", "brand-id": "acme-brand", "series": "16",
                "model": "my-pi3", "architecture": "armhf", "gadget": "pi3", "kernel": "pi2-kernel",
                "timestamp": .string(Timestamp.now().text),
            ]
            if let serialAuthority { headers["serial-authority"] = .list(serialAuthority.map { .string($0) }) }
            let model = try AssertionSigner.sign(headers: headers, key: key)
            _ = try await fixture.store.importAssertions([model], by: .admin)
            return Brand(fixture: fixture, key: key, model: model)
        }

        func request(key: PrivateKey, proposed: String? = nil, requestID: String? = nil) async throws -> [UInt8] {
            let id: String
            if let requestID { id = requestID } else { id = try await fixture.store.issueSerialRequestID() }
            var headers: Headers = [
                "brand-id": "acme-brand", "model": "my-pi3", "request-id": .string(id),
                "device-key": .string(key.publicKey.encoded),
            ]
            if let proposed { headers["serial"] = .string(proposed) }
            let request = try AssertionSigner.sign(type: .serialRequest, headers: headers, key: key)
            return AssertionStream.encode([request, model])
        }

        /// The same store on a clock the test moves.
        func clockedStore() -> (SnapStore, Clock) {
            let clock = Clock()
            let original = fixture.store
            let store = SnapStore(
                catalogue: original.catalogue, blobs: original.blobs, identity: original.identity,
                vault: original.vault, clock: { clock.now })
            return (store, clock)
        }

        func serial(_ body: [UInt8]) async throws -> Assertion {
            guard case .issued(let serial, _) = try await fixture.store.requestSerial(body) else {
                throw StoreError(.internalError, "the vault asked to wait")
            }
            return serial
        }
    }

    static func deviceKey() throws -> PrivateKey { try PrivateKey.generate(bits: 1024) }

    /// A clock the test moves by hand.
    final class Clock: @unchecked Sendable {
        private let lock = NSLock()
        private var seconds = Timestamp.now().seconds
        var now: Timestamp { lock.withLock { Timestamp(seconds: seconds) } }
        func advance(_ by: Int64) { lock.withLock { seconds += by } }
    }

    @Test(arguments: CatalogueEngine.available)
    func lastSeenFollowsSessionRequestsAtMostOnceAMinuteAndFiltersTheInventory(_ engine: CatalogueEngine) async throws {
        let brand = try await Brand.make(engine)
        defer { brand.fixture.cleanUp() }
        let (store, clock) = brand.clockedStore()
        let start = clock.now.seconds
        let key = try Self.deviceKey()
        let id = try await store.issueSerialRequestID()
        guard
            case .issued(let serial, _) = try await store.requestSerial(
                try await brand.request(key: key, requestID: id))
        else { throw StoreError(.internalError, "pending") }
        let nonce = try await store.issueNonce()
        let sessionRequest = try AssertionSigner.sign(
            headers: [
                "type": "device-session-request", "brand-id": "acme-brand", "model": "my-pi3",
                "serial": .string(serial.string("serial")), "nonce": .string(nonce),
                "timestamp": .string(clock.now.text),
            ], key: key)
        let token = try await store.openDeviceSession(
            request: sessionRequest.encodedText, serial: serial.encodedText, model: brand.model.encodedText)
        func lastSeen() async throws -> Int64? {
            try await store.devices(DeviceFilter(brandID: "acme-brand"), by: .admin).first?.lastSeen
        }
        #expect(try await lastSeen() == start)
        clock.advance(120)
        _ = try await store.deviceSerialKey(session: token)
        #expect(try await lastSeen() == start + 120, "a request a minute later is recorded")
        clock.advance(10)
        _ = try await store.deviceSerialKey(session: token)
        #expect(try await lastSeen() == start + 120, "ten seconds later it is not written again")
        #expect(try await store.devices(DeviceFilter(seenSince: start + 100), by: .admin).count == 1)
        #expect(try await store.devices(DeviceFilter(seenSince: start + 200), by: .admin).isEmpty)
    }

    /// A device's sessions end when revoked (also those the store holds in memory), when pushed
    /// out by newer ones, and when they outlive the store's lifetime for them.
    @Test(arguments: CatalogueEngine.available) func deviceSessionsCanBeRevokedAndExpire(_ engine: CatalogueEngine)
        async throws
    {
        let brand = try await Brand.make(engine)
        defer { brand.fixture.cleanUp() }
        let clock = Clock()
        let original = brand.fixture.store
        let store = SnapStore(
            catalogue: original.catalogue, blobs: original.blobs, identity: original.identity,
            deviceSessionLifetime: 3600, vault: original.vault, clock: { clock.now })
        let key = try Self.deviceKey()
        guard
            case .issued(let serial, _) = try await store.requestSerial(
                try await brand.request(key: key, requestID: try await store.issueSerialRequestID()))
        else { throw StoreError(.internalError, "pending") }
        func openSession() async throws -> String {
            let sessionRequest = try AssertionSigner.sign(
                headers: [
                    "type": "device-session-request", "brand-id": "acme-brand", "model": "my-pi3",
                    "serial": .string(serial.string("serial")), "nonce": .string(try await store.issueNonce()),
                    "timestamp": .string(clock.now.text),
                ], key: key)
            return try await store.openDeviceSession(
                request: sessionRequest.encodedText, serial: serial.encodedText, model: brand.model.encodedText)
        }
        let device = "acme-brand/my-pi3/\(serial.string("serial"))"
        let first = try await openSession()
        #expect(try await store.deviceSerialKey(session: first) == device)

        let outsider = Principal(role: .publisher, accountID: "other-brand")
        await #expect(throws: StoreError.self) {
            try await store.revokeDeviceSessions(
                brandID: "acme-brand", model: "my-pi3", serial: serial.string("serial"), by: outsider)
        }
        let acme = Principal(role: .publisher, accountID: "acme-brand")
        #expect(
            try await store.revokeDeviceSessions(
                brandID: "acme-brand", model: "my-pi3", serial: serial.string("serial"), by: acme) == 1)
        #expect(try await store.deviceSerialKey(session: first) == nil, "revoked, though it was in memory")

        // The newest two sessions of a device stay; the third pushes the oldest out, memory included.
        let second = try await openSession()
        clock.advance(1)
        let third = try await openSession()
        clock.advance(1)
        let fourth = try await openSession()
        #expect(try await store.deviceSerialKey(session: second) == nil)
        #expect(try await store.deviceSerialKey(session: third) == device)
        #expect(try await store.deviceSerialKey(session: fourth) == device)

        clock.advance(3600)
        #expect(try await store.deviceSerialKey(session: fourth) == nil, "older than the lifetime")
        #expect(try await store.deviceSerialKey(session: try await openSession()) == device)
    }

    @Test(arguments: CatalogueEngine.available) func serialsAreNumberedPerModelAroundProposedOnes(
        _ engine: CatalogueEngine
    ) async throws {
        let brand = try await Brand.make(engine)
        defer { brand.fixture.cleanUp() }
        let proposed = try await brand.serial(try await brand.request(key: try Self.deviceKey(), proposed: "1"))
        #expect(proposed.string("serial") == "1")
        let numbered = try await brand.serial(try await brand.request(key: try Self.deviceKey()))
        #expect(numbered.string("serial") == "2", "the sequence skips a serial a device proposed")
        await #expect(throws: StoreError.self) {
            _ = try await brand.serial(try await brand.request(key: try Self.deviceKey(), proposed: "2"))
        }
        let devices = try await brand.fixture.store.devices(DeviceFilter(brandID: "acme-brand"), by: .admin)
        #expect(devices.map(\.serial) == ["1", "2"])
        #expect(devices.allSatisfy { $0.registeredAt != nil && $0.signedBy == brand.key.id })
    }

    @Test(arguments: CatalogueEngine.available) func oneSerialPerRequestEvenWhenPostedAtOnce(_ engine: CatalogueEngine)
        async throws
    {
        let brand = try await Brand.make(engine)
        defer { brand.fixture.cleanUp() }
        let key = try Self.deviceKey()
        let body = try await brand.request(key: key)
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask { (try? await brand.serial(body)) != nil }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 }.count == 1, "\(outcomes)")
        #expect(try await brand.fixture.store.devices(DeviceFilter(), by: .admin).count == 1)
    }

    @Test(arguments: CatalogueEngine.available) func aSerialAuthoritySignsWhenTheBrandLeavesItToThem(
        _ engine: CatalogueEngine
    ) async throws {
        let brand = try await Brand.make(engine, serialAuthority: ["vault-co"], vaultKey: false)
        defer { brand.fixture.cleanUp() }
        let noKey = await #expect(throws: StoreError.self) {
            _ = try await brand.serial(try await brand.request(key: try Self.deviceKey()))
        }
        #expect(
            noKey?.message.contains("holds no key of acme-brand or vault-co") == true, "\(String(describing: noKey))")
        let vaultCo = try await brand.fixture.publisher("vault-co", id: "vault-co")
        let vaultKey = try PrivateKey.generate(bits: 2048)
        _ = try await brand.fixture.store.registerKey(
            accountID: "vault-co", name: "serials", publicKey: vaultKey.publicKey, by: vaultCo)
        try await brand.fixture.store.addVaultKey(vaultKey, accountID: "vault-co", by: vaultCo)
        guard
            case .issued(let serial, let chain) = try await brand.fixture.store.requestSerial(
                try await brand.request(key: try Self.deviceKey()))
        else { throw StoreError(.internalError, "pending") }
        #expect(serial.authorityID == "vault-co" && serial.string("brand-id") == "acme-brand")
        // A device holding the roots, the brand's chain and its model accepts it.
        var trust = try TrustDatabase(trusted: brand.fixture.store.identity.trusted)
        let roots = brand.fixture.store.identity.trusted
        let brandChain =
            (try await brand.fixture.store.catalogue.assertions(ofType: .accountKey)
            + (try await brand.fixture.store.catalogue.assertions(ofType: .account))).filter { !roots.contains($0) }
        #expect(trust.addAll(brandChain + chain + [brand.model, serial]).isEmpty)
    }

    @Test(arguments: CatalogueEngine.available) func theVaultRefusesWhatSnapdWouldNeverSend(_ engine: CatalogueEngine)
        async throws
    {
        let brand = try await Brand.make(engine)
        defer { brand.fixture.cleanUp() }
        let key = try Self.deviceKey()
        var body = try await brand.request(key: key)
        body += [0x0a] + AssertionStream.encode([brand.model])
        let remodel = await #expect(throws: StoreError.self) { _ = try await brand.fixture.store.requestSerial(body) }
        #expect(remodel?.message.contains("not supported") == true)
        let unknownID = await #expect(throws: StoreError.self) {
            _ = try await brand.serial(try await brand.request(key: key, requestID: "never-issued"))
        }
        #expect(unknownID?.message.contains("unknown request-id") == true)
        let slash = await #expect(throws: StoreError.self) {
            _ = try await brand.serial(try await brand.request(key: key, proposed: "a/b"))
        }
        #expect(slash?.kind == .invalid)
        #expect(try await brand.fixture.store.devices(DeviceFilter(), by: .admin).isEmpty)
    }

    /// One stored assertion that no longer verifies (its signing key gone or expired) spoils the
    /// requests that need it, not every serial request with a 500.
    @Test(arguments: CatalogueEngine.available) func aStoredAssertionThatNoLongerVerifiesSpoilsOnlyItself(
        _ engine: CatalogueEngine
    ) async throws {
        let brand = try await Brand.make(engine)
        defer { brand.fixture.cleanUp() }
        let stranger = try PrivateKey.generate(bits: 1024)
        let ghost = try AssertionSigner.sign(
            headers: [
                "type": "account", "authority-id": "nobody", "account-id": "ghost", "username": "ghost",
                "display-name": "Ghost", "validation": "unproven", "timestamp": .string(Timestamp.now().text),
            ], key: stranger)
        try await brand.fixture.catalogue.putAssertions([ghost])
        let serial = try await brand.serial(try await brand.request(key: try Self.deviceKey()))
        #expect(serial.string("brand-id") == "acme-brand")
    }

    @Test(arguments: CatalogueEngine.available) func requestIDsExpireAfterADayAndUnusedOnesAreForgotten(
        _ engine: CatalogueEngine
    ) async throws {
        let brand = try await Brand.make(engine)
        defer { brand.fixture.cleanUp() }
        let (store, clock) = brand.clockedStore()
        let old = try await store.issueSerialRequestID()
        clock.advance(86400 + 60)
        let expired = await #expect(throws: StoreError.self) {
            _ = try await store.requestSerial(try await brand.request(key: try Self.deviceKey(), requestID: old))
        }
        #expect(expired?.message.contains("expired") == true, "\(String(describing: expired))")
        _ = try await store.issueSerialRequestID()
        #expect(try await store.catalogue.serialRequest(id: old) == nil, "an unused, expired id is forgotten")
    }

    @Test(arguments: CatalogueEngine.available) func onlyTheKeysOwnerGivesItToTheVaultAndItStaysPrivate(
        _ engine: CatalogueEngine
    ) async throws {
        let brand = try await Brand.make(engine, vaultKey: false)
        defer { brand.fixture.cleanUp() }
        let other = try await brand.fixture.publisher("other")
        await #expect(throws: StoreError.self) {
            try await brand.fixture.store.addVaultKey(brand.key, accountID: "acme-brand", by: other)
        }
        let unregistered = await #expect(throws: StoreError.self) {
            try await brand.fixture.store.addVaultKey(
                try PrivateKey.generate(bits: 1024), accountID: "acme-brand", by: .admin)
        }
        #expect(unregistered?.message.contains("not registered") == true)
        await #expect(throws: StoreError.self) {
            try await brand.fixture.store.addVaultKey(brand.key, accountID: other.accountID ?? "", by: other)
        }
        try await brand.fixture.store.addVaultKey(brand.key, accountID: "acme-brand", by: .admin)
        try await brand.fixture.store.addVaultKey(brand.key, accountID: "acme-brand", by: .admin)
        let folder = brand.fixture.directory.vaultKeysPath
        let files = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(files == ["vault-1.pem"], "adding a key twice keeps one copy")
        let mode = try FileManager.default.attributesOfItem(atPath: folder + "/vault-1.pem")[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try await brand.fixture.store.vaultKeyIDs(accountID: "acme-brand", by: .admin) == [brand.key.id])
    }
}
