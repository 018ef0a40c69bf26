import Assertions
import DepotCrypto
import Foundation
import SnapFiles
import StoreProtocol
import Synchronization

/// The store's domain operations over a catalogue, a blob store and a signing identity: accounts
/// and tokens, names, uploads and imports, releases, and the trust checks on everything imported.
public final class SnapStore: Sendable {
    public let catalogue: any Catalogue
    public let blobs: any BlobStorage
    public let signer: StoreSigner
    /// Roots trusted besides the store's own (for importing snaps signed elsewhere); the admin
    /// adds one at run time (`trustRoot`), and `saveExtraTrusted` keeps the set for the next start.
    public var extraTrusted: [Assertion] { extraRoots.withLock { $0 } }
    private let extraRoots: Mutex<[Assertion]>
    private let saveExtraTrusted: @Sendable ([Assertion]) throws -> Void
    /// The largest upload accepted, in bytes.
    public let uploadLimit: UInt64
    /// The secret root macaroons are signed with.
    let macaroonKey: [UInt8]
    /// How long a login's discharge lasts before the client must refresh it, in seconds.
    public let dischargeLifetime: Int64
    /// Seconds a device session lasts; snapd opens a new one when told its session expired.
    public let deviceSessionLifetime: Int64
    public let deviceSessions = DeviceSessions()
    let faultBoard = FaultBoard()
    let trustCache = TrustCache()
    let modelStores = ModelStores()
    let snapLocks = SnapWriteLocks()
    /// Signs devices' serials (`api/v1/snaps/auth/devices`).
    public let vault: SerialVault
    /// Whether deltas between revisions are made and announced (xdelta3 runs here, and the
    /// operator did not turn them off).
    public let makesDeltas: Bool
    let deltaQueue = DeltaQueue()
    let clock: @Sendable () -> Timestamp

    public init(
        catalogue: any Catalogue, blobs: any BlobStorage, identity: StoreIdentity, extraTrusted: [Assertion] = [],
        uploadLimit: UInt64 = 4 << 30, macaroonKey: [UInt8] = RandomBytes.make(32), dischargeLifetime: Int64 = 86400,
        deviceSessionLifetime: Int64 = 30 * 86400, vault: SerialVault = SerialVault(keys: nil),
        deltas: Bool = false, clock: @escaping @Sendable () -> Timestamp = { .now() },
        saveExtraTrusted: @escaping @Sendable ([Assertion]) throws -> Void = { _ in }
    ) {
        self.makesDeltas = deltas
        self.macaroonKey = macaroonKey
        self.dischargeLifetime = dischargeLifetime
        self.deviceSessionLifetime = deviceSessionLifetime
        self.catalogue = catalogue
        self.blobs = blobs
        self.signer = StoreSigner(identity: identity)
        self.extraRoots = Mutex(extraTrusted)
        self.saveExtraTrusted = saveExtraTrusted
        self.uploadLimit = uploadLimit
        self.vault = vault
        self.clock = clock
    }

    public var identity: StoreIdentity { signer.identity }

    /// Trusts another root from now on (its self-signed `account` and `account-key`), so that
    /// snaps and assertions it signed can be imported and served unchanged (admin). Devices are
    /// not told to trust it. The same root again changes nothing.
    public func trustRoot(_ assertions: [Assertion], by principal: Principal) throws {
        try principal.requireAdmin()
        guard assertions.contains(where: { $0.type == .accountKey }),
            assertions.contains(where: { $0.type == .account })
        else {
            throw StoreError(.invalid, "a root is its account and its self-signed account-key: this stream lacks one")
        }
        do {
            _ = try TrustDatabase(trusted: assertions)
        } catch {
            throw StoreError(.invalid, "not a root: \(error.message)")
        }
        // snapd keys accounts by id: another root under this store's own root's id would be a
        // second account of the same name, and no trust database could hold both.
        let own = Set(identity.trusted.filter { $0.type == .account }.map { $0.string("account-id") })
        if let clash = assertions.first(where: {
            $0.type == .account && own.contains($0.string("account-id")) && !identity.trusted.contains($0)
        }) {
            throw StoreError(
                .conflict,
                "a root named \(clash.string("account-id")) is this store's own: two roots cannot share an account id")
        }
        try extraRoots.withLock { roots in
            let merged = roots + assertions.filter { new in !roots.contains(new) && !identity.trusted.contains(new) }
            guard merged != roots else { return }
            do {
                try saveExtraTrusted(merged)
            } catch {
                throw StoreError(.internalError, "cannot keep the trusted roots: \(error)")
            }
            roots = merged
        }
    }

    /// Makes sure the store's own key chain is stored and served, and that nothing half-written
    /// survived a crash: partial uploads are removed, blobs without a revision set aside.
    @discardableResult
    public func start() async throws -> (partialUploads: Int, quarantined: Int) {
        try await catalogue.putAssertions(identity.trusted + [identity.storeAccountKey])
        // Replicas share the blob folder: what another one is uploading now is not left over.
        return try blobs.recover(
            keeping: try await catalogue.allBlobDigests(), quietFor: catalogue.isShared ? .seconds(3600) : nil)
    }

    // MARK: Tokens

    /// A new token for `principal`, of which only the hash is kept; it stops working after
    /// `lifetime` seconds when one is given.
    public func issueToken(for principal: Principal, description: String, lifetime: Int64? = nil) async throws
        -> String
    {
        let token = "sdp_" + Identifiers.random(count: 40)
        let now = clock().seconds
        try await catalogue.addToken(
            TokenRecord(
                hash: Self.hash(token), accountID: principal.accountID, role: principal.role, description: description,
                createdAt: now, expiresAt: lifetime.map { now + $0 }))
        return token
    }

    /// The principal a token stands for, read from the catalogue on every request, so a revoked
    /// token stops working at once; nil for an unknown, revoked or expired one.
    public func authenticate(token: String) async throws -> Principal? {
        guard let record = try await catalogue.token(hash: Self.hash(token)),
            (record.expiresAt ?? .max) > clock().seconds
        else { return nil }
        return Principal(role: record.role, accountID: record.accountID)
    }

    /// Every token and snapcraft login (the admin's view), by id; never the credentials themselves.
    public func credentials(by principal: Principal) async throws -> [TokenListing] {
        try principal.requireAdmin()
        let tokens = try await catalogue.tokens().map {
            TokenListing(
                id: $0.id, kind: "token", role: $0.role.rawValue, accountID: $0.accountID, description: $0.description,
                createdAt: WireTime.string($0.createdAt), expiresAt: $0.expiresAt.map { WireTime.string($0) })
        }
        let logins = try await catalogue.sessions().map { session in
            let limits = session.permissions.isEmpty ? "" : " (\(session.permissions.joined(separator: ", ")))"
            return TokenListing(
                id: Self.loginID(session), kind: "login", role: Role.publisher.rawValue, accountID: session.accountID,
                description: session.description + limits + (session.accountID == nil ? " — never discharged" : ""),
                createdAt: WireTime.string(session.createdAt), expiresAt: WireTime.string(session.expiresAt))
        }
        return tokens + logins
    }

    /// A login's id in listings: the start of its identifier's hash, like a token's.
    static func loginID(_ session: PublisherSession) -> String {
        String(hash(session.id).prefix(12))
    }

    /// Replaces the admin token `current` (which must be one) with a new one: the old one stops
    /// working at once.
    public func rotateAdminToken(_ current: String) async throws -> String {
        guard let principal = try await authenticate(token: current), principal.isAdmin else {
            throw StoreError(.forbidden, "only the admin token can be rotated, by itself")
        }
        let replacement = try await issueToken(for: .admin, description: "admin token (rotated)")
        _ = try await catalogue.deleteToken(hash: Self.hash(current))
        return replacement
    }

    /// Revokes the one token or snapcraft login whose id (or a longer prefix of its hash) is given;
    /// it fails at its next request.
    public func revokeToken(id: String, by principal: Principal) async throws {
        try principal.requireAdmin()
        guard id.count >= 8, id.allSatisfy(\.isHexDigit) else {
            throw StoreError(.invalid, "a token id is the 12 hex digits `snapdepot tokens list` shows")
        }
        let prefix = id.lowercased()
        let tokens = try await catalogue.tokens().filter { $0.hash.hasPrefix(prefix) }
        let logins = try await catalogue.sessions().filter { Self.hash($0.id).hasPrefix(prefix) }
        guard tokens.count + logins.count == 1 else {
            throw StoreError(
                tokens.isEmpty && logins.isEmpty ? .notFound : .invalid,
                tokens.isEmpty && logins.isEmpty
                    ? "no token or login \(id)"
                    : "\(id) names \(tokens.count + logins.count) credentials; give more digits")
        }
        if let token = tokens.first {
            _ = try await catalogue.deleteToken(hash: token.hash)
        } else if let login = logins.first {
            _ = try await catalogue.deleteSession(id: login.id)
        }
    }

    static func hash(_ token: String) -> String {
        Hex.encode(Digest.sha3_384(Array(token.utf8)))
    }

    // MARK: Accounts

    /// Creates a publisher or brand account and signs its `account` assertion. `id` may be a short
    /// id like `acme-brand`; otherwise a 32-character one is generated.
    public func createAccount(
        username: String, displayName: String? = nil, id: String? = nil, validation: String = "unproven",
        by principal: Principal
    ) async throws -> StoreAccount {
        try principal.requireAdmin()
        guard Identifiers.isValidUsername(username) else {
            throw StoreError(
                .invalid,
                "invalid username \"\(username)\": use 2–32 of a-z, 0-9 and -, starting with a letter or digit")
        }
        let accountID = id ?? Identifiers.random(count: 32)
        guard Account.isValidID(accountID) else {
            throw StoreError(
                .invalid, "invalid account id \"\(accountID)\": use 32 letters and digits, or 2–28 of a-z, 0-9 and -")
        }
        guard ["unproven", "verified", "starred"].contains(validation) else {
            throw StoreError(.invalid, "validation must be unproven, verified or starred, not \"\(validation)\"")
        }
        if try await catalogue.account(id: accountID) != nil {
            throw StoreError(.conflict, "account id \"\(accountID)\" is taken")
        }
        if try await catalogue.account(username: username) != nil {
            throw StoreError(.conflict, "username \"\(username)\" is taken")
        }
        let now = clock()
        let account = StoreAccount(
            id: accountID, username: username, displayName: displayName ?? username, validation: validation,
            createdAt: now.seconds)
        try await catalogue.createAccount(account, assertions: [try signer.account(account, now: now)])
        return account
    }

    /// Registers a brand's or publisher's public key: the store signs an `account-key` for it, as
    /// `snapcraft register-key` has the real store do.
    public func registerKey(accountID: String, name: String, publicKey: PublicKey, by principal: Principal)
        async throws -> Assertion
    {
        try principal.requireActing(for: accountID)
        guard try await catalogue.account(id: accountID) != nil else {
            throw StoreError(.notFound, "no account \"\(accountID)\"")
        }
        guard NameRule.accountKeyName.matches(name) else {
            throw StoreError(.invalid, "invalid key name \"\(name)\": lower-case letters, digits and dashes")
        }
        let existing = try await catalogue.assertions(ofType: .accountKey)
        if let clash = existing.first(where: { $0.string("account-id") == accountID && $0.string("name") == name }),
            clash.string("public-key-sha3-384") != publicKey.id
        {
            throw StoreError(.conflict, "account \(accountID) already has a different key named \"\(name)\"")
        }
        if let found = existing.first(where: { $0.string("public-key-sha3-384") == publicKey.id }) {
            guard found.string("account-id") == accountID else {
                throw StoreError(.conflict, "this key is already registered to another account")
            }
            return found
        }
        let now = clock()
        let assertion = try signer.accountKey(
            accountID: accountID, name: name, key: publicKey, since: Timestamp(seconds: now.seconds - 60), now: now)
        try await catalogue.putAssertions([assertion])
        return assertion
    }

    /// Registers the key an `account-key-request` asks for (`snapcraft register-key`, after `snap
    /// export-key --account=ID`): the request must verify (signed by that key, for an account this
    /// store has) and name the caller's own account.
    public func registerKey(request: Assertion, by principal: Principal) async throws -> Assertion {
        guard request.type == .accountKeyRequest else {
            throw StoreError(.invalid, "expected an account-key-request assertion, got \(request.type.name)")
        }
        let asked = try AccountKeyRequest(request)
        try principal.requireActing(for: asked.accountID)
        let database = try await trustDatabase(for: [request])
        do {
            try database.check(request)
        } catch {
            throw StoreError(.invalid, "the account-key-request does not verify: \(error.message)")
        }
        return try await registerKey(
            accountID: asked.accountID, name: asked.name, publicKey: asked.publicKey, by: principal)
    }

    // MARK: Lookups

    public func snap(named name: String, store: String? = nil) async throws -> SnapRecord {
        guard let snap = try await catalogue.snap(name: name, store: store) else {
            throw StoreError(.notFound, "snap \"\(name)\" is not registered\(store.map { " in store \($0)" } ?? "")")
        }
        return snap
    }

    /// What `upload` will check of the caller, asked before the file is received: a publisher
    /// sending gigabytes to another's snap is refused before the first of them is stored.
    public func requireUploadRight(name: String, store: String?, fixedRevision: Bool, by principal: Principal)
        async throws
    {
        try requirePublisher(try await snap(named: name, store: store), principal, .push)
        if fixedRevision { try principal.requireAdmin() }
    }

    /// Whether the caller publishes a snap of this name in some store, asked before a body (which
    /// may name the brand store) is read; the full check follows once it is.
    public func requirePublishesName(_ name: String, by principal: Principal) async throws {
        if principal.isAdmin { return }
        try principal.limits.require(package: name)
        guard let account = principal.accountID,
            try await catalogue.snaps(publisherID: account).contains(where: { $0.name == name })
        else { throw StoreError(.forbidden, "snap \"\(name)\" belongs to another publisher") }
    }

    /// The caller publishes `snap` and, for a limited login, may take this action on it.
    func requirePublisher(_ snap: SnapRecord, _ principal: Principal, _ permission: LoginLimits.Permission)
        throws(StoreError)
    {
        guard principal.isAdmin || principal.accountID == snap.publisherID else {
            throw StoreError(.forbidden, "snap \"\(snap.name)\" belongs to another publisher")
        }
        try principal.limits.require(permission)
        try principal.limits.require(package: snap.name)
    }
}

/// Random ids and tokens, ids derived from a name, and the username rule.
public enum Identifiers {
    static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    static func random(count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// A snap-id that is the same wherever `seed` is: a seeded world keeps its snap-ids from one
    /// store to the next, so its rollout order (drawn from snap-id and serial) is reproducible.
    public static func snapID(derivedFrom seed: String) -> String {
        let digest = Digest.sha3_384(Array(seed.utf8))
        return String(digest.prefix(32).map { alphabet[Int($0) % alphabet.count] })
    }

    /// snapd's form of a snap-id: 32 letters and digits.
    static func isValidSnapID(_ id: String) -> Bool {
        id.utf8.count == 32 && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    static func isValidUsername(_ name: String) -> Bool {
        guard (2...32).contains(name.count), let first = name.first, first.isLetter || first.isNumber else {
            return false
        }
        return name.allSatisfy { ($0.isLowercase && $0.isASCII) || ($0.isNumber && $0.isASCII) || $0 == "-" }
    }
}
