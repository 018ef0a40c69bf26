import Assertions

/// One or more assertions of every type snapdepot supports, signed by snapdepot with the test
/// authority's keys, in an order a database can add them.
enum EveryType {
    typealias T = TestAuthority

    static func make() throws -> [Assertion] {
        let ts = HeaderValue.string(T.timestamp)
        let snapID = "myawesomesnapid00000000000000000"
        let secondID = "mysecondawesomesnapid00000000000"
        let declaration = try T.sign([
            "type": "snap-declaration", "authority-id": "test-root", "series": "16", "snap-id": .string(snapID),
            "snap-name": "myawesomesnap", "publisher-id": "acme-brand", "timestamp": ts,
        ])
        let declarationWithRules = try T.sign([
            "type": "snap-declaration", "authority-id": "test-root", "format": "5", "series": "16",
            "snap-id": .string(secondID), "snap-name": "mysecondawesomesnap", "publisher-id": "acme-brand",
            "timestamp": ts, "refresh-control": [.string(snapID)], "auto-aliases": ["second"],
            "aliases": [["name": "second", "target": "app"]],
            "plugs": [
                "network-control": ["allow-auto-connection": "true"],
                "shared-memory": [
                    "allow-installation": ["plug-attributes": ["shared-memory": ["foo", "bar"]]],
                    "allow-auto-connection": [["plug-names": ["shmem"], "on-store": ["acme-store"]]],
                ],
            ],
            "slots": ["content": ["allow-connection": ["plug-attributes": ["content": "$SLOT(content)"]]]],
            "revision-authority": [["account-id": "acme-brand", "provenance": ["acme-factory"], "min-revision": "1"]],
        ])
        let revision = try T.sign([
            "type": "snap-revision", "authority-id": "test-root",
            "snap-sha3-384": "gqd02v3fXrPUbpneO6bNekpQ9JTnlk_dPg0_5vW76f0AzZgXFWwTROtxf8Yu59l5",
            "snap-id": .string(snapID), "snap-size": "4096", "snap-revision": "42", "developer-id": "acme-brand",
            "timestamp": ts,
        ])
        let delegatedRevision = try T.sign(
            [
                "type": "snap-revision", "authority-id": "acme-brand", "provenance": "acme-factory",
                "snap-sha3-384": "Zk5J9kc1bqjx7wuhs9vS7pqBmW6JkfNxWYX3NqmXuAOQyhTvjTs3oK42c3nx4Vmd",
                "snap-id": .string(secondID), "snap-size": "8192", "snap-revision": "7", "developer-id": "acme-brand",
                "timestamp": ts,
            ], key: T.brandKey)
        let classic = try T.sign(
            [
                "type": "model", "authority-id": "acme-brand", "brand-id": "acme-brand", "series": "16",
                "model": "acme-classic", "classic": "true", "architecture": "amd64",
                "display-name": "ACME Classic\nfor the lab", "required-snaps": ["myawesomesnap"], "timestamp": ts,
            ], key: T.brandKey)
        let core22 = try T.sign(
            [
                "type": "model", "authority-id": "acme-brand", "brand-id": "acme-brand", "series": "16",
                "model": "acme-core22", "architecture": "amd64", "base": "core22", "grade": "signed",
                "store": "acme-store", "timestamp": ts,
                "snaps": [
                    [
                        "name": "pc", "id": "UqFziVZDHLSyO3TqSWgNBoAdHbLI4dAH", "type": "gadget",
                        "default-channel": "22/stable",
                    ],
                    [
                        "name": "pc-kernel", "id": "pYVQrBcKmBa0mZ4CCN7ExT6jH8rY1hza", "type": "kernel",
                        "default-channel": "22/stable",
                    ],
                    ["name": "myawesomesnap", "id": .string(snapID), "modes": ["run"], "presence": "optional"],
                ],
            ], key: T.brandKey)
        let serial = try T.serial("A1000", body: "mac: 00:11:22:33:44:55\n")
        let serialRequest = try T.sign(
            [
                "type": "serial-request", "brand-id": "acme-brand", "model": "my-pi3", "request-id": "REQ-1",
                "device-key": .string(T.deviceKey.publicKey.encoded),
            ], body: "mac: 00:11:22:33:44:55\n", key: T.deviceKey)
        let session = try T.sign(
            [
                "type": "device-session-request", "brand-id": "acme-brand", "model": "my-pi3", "serial": "A1000",
                "nonce": "NONCE-1", "timestamp": ts,
            ], key: T.deviceKey)
        let validationSet = try T.sign(
            [
                "type": "validation-set", "authority-id": "acme-brand", "series": "16", "account-id": "acme-brand",
                "name": "fleet", "sequence": "3", "revision": "2", "timestamp": ts,
                "snaps": [
                    ["name": "myawesomesnap", "id": .string(snapID), "presence": "required", "revision": "42"],
                    ["name": "badsnap", "id": "badsnapid0000000000000000000000x", "presence": "invalid"],
                ],
            ], key: T.brandKey)
        let store = try T.sign([
            "type": "store", "authority-id": "test-root", "store": "acme-store", "operator-id": "acme-brand",
            "url": "https://store.acme.example/", "friendly-stores": ["other-store"], "location": "on-prem",
            "timestamp": ts,
        ])
        let systemUser = try T.sign(
            [
                "type": "system-user", "authority-id": "acme-brand", "brand-id": "acme-brand", "format": "1",
                "email": "factory@acme.example", "series": ["16"], "models": ["my-pi3"], "serials": ["A1000"],
                "name": "Factory hand-off", "username": "acme-ops",
                "password": "$6$rounds=5000$saltsalt$nLHIbSsh0BGx2vT3vCM8w4B7tE7c5D8Kn0QX3x.Hp/",
                "force-password-change": "true", "ssh-keys": ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI ops@acme"],
                "since": .string(T.keysSince), "until": "2030-01-01T00:00:00Z",
            ], key: T.brandKey)
        let developer = try T.sign(
            [
                "type": "snap-developer", "authority-id": "acme-brand", "snap-id": .string(snapID),
                "publisher-id": "acme-brand",
                "developers": [
                    ["developer-id": "acme-brand", "since": .string(T.keysSince)],
                    ["developer-id": "acme-brand", "since": .string(T.timestamp), "until": "2027-01-01T00:00:00Z"],
                ],
            ], key: T.brandKey)
        let repair = try T.sign(
            [
                "type": "repair", "authority-id": "acme-brand", "brand-id": "acme-brand", "repair-id": "1",
                "summary": "restore the network configuration", "series": ["16"], "models": ["acme-brand/my-pi3"],
                "architectures": ["armhf"], "timestamp": ts,
            ], body: "#!/bin/sh\nset -e\necho fixed\n", key: T.brandKey)
        let keyRequest = try T.sign(
            [
                "type": "account-key-request", "account-id": "acme-brand", "name": "workshop",
                "public-key-sha3-384": .string(T.otherKey.publicKey.id), "since": .string(T.keysSince),
            ], body: T.otherKey.publicKey.encoded, key: T.otherKey)
        let baseDeclaration = try T.sign([
            "type": "base-declaration", "authority-id": "test-root", "series": "16", "timestamp": ts,
            "plugs": ["network": ["allow-installation": "true"]],
            "slots": ["network": ["allow-installation": ["slot-snap-type": ["core"]]]],
        ])
        return [
            T.brandAccount, T.brandAccountKey, declaration, declarationWithRules, revision, delegatedRevision,
            try T.myPi3Model(), classic, core22, serial, serialRequest, session, validationSet, store, systemUser,
            developer, repair, keyRequest, baseDeclaration,
        ]
    }
}
