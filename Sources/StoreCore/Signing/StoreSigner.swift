import Assertions

/// The assertions a store signs: accounts and account-keys for its publishers and brands, a
/// `snap-declaration` when a name is registered, a `snap-revision` when a revision is uploaded.
public struct StoreSigner: Sendable {
    public let identity: StoreIdentity

    public init(identity: StoreIdentity) {
        self.identity = identity
    }

    public func sign(_ headers: Headers, body: [UInt8] = [], now: Timestamp) throws -> Assertion {
        var headers = headers
        headers["authority-id"] = .string(identity.authorityID)
        return try AssertionSigner.sign(headers: headers, body: body, key: identity.storeKey, signingTime: now)
    }

    public func account(_ account: StoreAccount, now: Timestamp) throws -> Assertion {
        try sign(
            [
                "type": "account", "account-id": .string(account.id), "username": .string(account.username),
                "display-name": .string(account.displayName), "validation": .string(account.validation),
                "timestamp": .string(now.text),
            ], now: now)
    }

    public func accountKey(accountID: String, name: String, key: PublicKey, since: Timestamp, now: Timestamp) throws
        -> Assertion
    {
        try sign(
            [
                "type": "account-key", "account-id": .string(accountID), "name": .string(name),
                "public-key-sha3-384": .string(key.id), "since": .string(since.text),
            ], body: Array(key.encoded.utf8), now: now)
    }

    public func declaration(snapID: String, name: String, publisherID: String, now: Timestamp) throws -> Assertion {
        try sign(
            [
                "type": "snap-declaration", "series": "16", "snap-id": .string(snapID), "snap-name": .string(name),
                "publisher-id": .string(publisherID), "timestamp": .string(now.text),
            ], now: now)
    }

    /// The `snap-revision` of a global upload; snapd's signer writes the default provenance itself.
    public func revision(_ revision: RevisionRecord, digest: String, developerID: String, now: Timestamp) throws
        -> Assertion
    {
        var headers: Headers = [
            "type": "snap-revision", "snap-sha3-384": .string(digest), "snap-id": .string(revision.snapID),
            "snap-size": .string(String(revision.size)), "snap-revision": .string(String(revision.revision)),
            "developer-id": .string(developerID), "timestamp": .string(now.text),
        ]
        if revision.provenance != SnapRevision.defaultProvenance {
            headers["provenance"] = .string(revision.provenance)
        }
        return try sign(headers, now: now)
    }
}
