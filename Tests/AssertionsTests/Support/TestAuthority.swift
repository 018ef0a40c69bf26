import Assertions
import Foundation

/// A root authority, a brand and a device made by code for tests: keys are generated once per
/// test process (2048 bits, to keep tests fast) and every assertion is signed by snapdepot.
struct TestAuthority {
    static let rootKey = try! PrivateKey.generate(bits: 2048)
    static let brandKey = try! PrivateKey.generate(bits: 2048)
    static let deviceKey = try! PrivateKey.generate(bits: 2048)
    static let otherKey = try! PrivateKey.generate(bits: 2048)

    static let signingTime = Timestamp.parse("2026-01-01T00:00:00Z")!
    static let timestamp = "2026-01-02T00:00:00Z"
    static let keysSince = "2025-12-01T00:00:00Z"
    /// Keys are valid from `keysSince`; tests run the database at this time.
    static let now = Timestamp.parse("2026-06-01T00:00:00Z")!

    static func sign(_ headers: Headers, body: String = "", key: PrivateKey = rootKey) throws -> Assertion {
        try AssertionSigner.sign(headers: headers, body: Array(body.utf8), key: key, signingTime: signingTime)
    }

    static let rootAccount = try! sign([
        "type": "account", "authority-id": "test-root", "account-id": "test-root", "display-name": "Test Root",
        "validation": "verified", "timestamp": .string(timestamp),
    ])

    static let rootAccountKey = try! accountKey(for: "test-root", name: "root", key: rootKey)

    static let brandAccount = try! sign([
        "type": "account", "authority-id": "test-root", "account-id": "acme-brand", "display-name": "ACME",
        "username": "acme", "validation": "verified", "timestamp": .string(timestamp),
    ])

    static let brandAccountKey = try! accountKey(for: "acme-brand", name: "models", key: brandKey)

    static func accountKey(
        for account: String, name: String, key: PrivateKey, since: String = keysSince, until: String? = nil
    ) throws -> Assertion {
        var headers: Headers = [
            "type": "account-key", "authority-id": "test-root", "account-id": .string(account),
            "name": .string(name), "public-key-sha3-384": .string(key.id), "since": .string(since),
        ]
        if let until { headers["until"] = .string(until) }
        return try sign(headers, body: key.publicKey.encoded)
    }

    /// The seed's `my-pi3` model (with the snap name spelled right).
    static func myPi3Model(extra: Headers = [:]) throws -> Assertion {
        var headers: Headers = [
            "type": "model", "authority-id": "acme-brand", "brand-id": "acme-brand", "series": "16",
            "model": "my-pi3", "architecture": "armhf", "gadget": "pi3", "kernel": "pi2-kernel",
            "required-snaps": ["myawesomesnap", "mysecondawesomesnap"], "timestamp": .string(timestamp),
        ]
        headers.merge(extra) { _, new in new }
        return try sign(headers, key: brandKey)
    }

    /// A serial for `my-pi3` binding `serial` to the device key, signed by the brand.
    static func serial(
        _ serial: String = "A1", body: String = "", authority: String = "acme-brand", key: PrivateKey = brandKey
    )
        throws -> Assertion
    {
        try sign(
            [
                "type": "serial", "authority-id": .string(authority), "brand-id": "acme-brand", "model": "my-pi3",
                "serial": .string(serial), "device-key": .string(deviceKey.publicKey.encoded),
                "device-key-sha3-384": .string(deviceKey.id), "timestamp": .string(timestamp),
            ], body: body, key: key)
    }

    static func database() throws -> TrustDatabase {
        var database = try TrustDatabase(trusted: [rootAccount, rootAccountKey], now: now)
        try database.add(brandAccount)
        try database.add(brandAccountKey)
        return database
    }
}

enum Fixture {
    static let directory = Bundle.module.resourceURL!.appendingPathComponent("Fixtures")

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(path)))
    }
}
