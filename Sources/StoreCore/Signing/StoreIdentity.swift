import Assertions

/// The store's signing identity: its authority id, the key it signs with day to day, and the
/// assertions that make a client trust that key — the root `account` and `account-key` (the
/// trusted roots) and the store key's `account-key`, signed by the root.
public struct StoreIdentity: Sendable {
    public let authorityID: String
    public let storeKey: PrivateKey
    /// The root account and root account-key: what a client must trust.
    public let trusted: [Assertion]
    /// The store key's account-key, which the assertion service serves.
    public let storeAccountKey: Assertion

    public init(authorityID: String, storeKey: PrivateKey, trusted: [Assertion], storeAccountKey: Assertion)
        throws(AssertionError)
    {
        self.authorityID = authorityID
        self.storeKey = storeKey
        self.trusted = trusted
        self.storeAccountKey = storeAccountKey
        var database = try TrustDatabase(trusted: trusted)
        try database.add(storeAccountKey)
        guard try AccountKey(storeAccountKey).keyID == storeKey.id else {
            throw AssertionError(.trust, "the store account-key does not carry the store key")
        }
    }

    /// A new root and store key, with the root's self-signed account and account-key.
    public static func generate(authorityID: String, bits: Int = 4096, now: Timestamp = .now()) throws
        -> (identity: StoreIdentity, rootKey: PrivateKey)
    {
        guard NameRule.accountID.matches(authorityID) else {
            throw AssertionError(.signing, "invalid authority id \"\(authorityID)\": use 2–28 of a-z, 0-9 and -")
        }
        let rootKey = try PrivateKey.generate(bits: bits)
        let storeKey = try PrivateKey.generate(bits: bits)
        // Keys are valid from a minute ago, so that clocks a little behind still accept them.
        let since = Timestamp(seconds: now.seconds - 60)
        let account = try AssertionSigner.sign(
            headers: [
                "type": "account", "authority-id": .string(authorityID), "account-id": .string(authorityID),
                "display-name": .string("\(authorityID) (snapdepot store root)"), "validation": "verified",
                "timestamp": .string(since.text),
            ], key: rootKey, signingTime: now)
        func accountKey(_ key: PrivateKey, name: String) throws -> Assertion {
            try AssertionSigner.sign(
                headers: [
                    "type": "account-key", "authority-id": .string(authorityID), "account-id": .string(authorityID),
                    "name": .string(name), "public-key-sha3-384": .string(key.id), "since": .string(since.text),
                ], body: Array(key.publicKey.encoded.utf8), key: rootKey, signingTime: now)
        }
        let identity = try StoreIdentity(
            authorityID: authorityID, storeKey: storeKey, trusted: [account, try accountKey(rootKey, name: "root")],
            storeAccountKey: try accountKey(storeKey, name: "store"))
        return (identity, rootKey)
    }
}
