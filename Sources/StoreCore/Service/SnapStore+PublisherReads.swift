import Assertions

/// What publishers and the admin read about accounts and snaps, each read checking who asks.
extension SnapStore {
    /// A publisher's account, its login email and its registered keys; nil for the admin token.
    public struct Profile: Sendable {
        public let account: StoreAccount
        public let email: String?
        public let keys: [Assertion]
    }

    public func profile(of principal: Principal) async throws -> Profile? {
        guard let accountID = principal.accountID, let account = try await catalogue.account(id: accountID) else {
            return nil
        }
        let keys = try await catalogue.assertions(ofType: .accountKey).filter { $0.string("account-id") == accountID }
        return Profile(account: account, email: try await catalogue.accountEmail(id: accountID), keys: keys)
    }

    public func accounts(by principal: Principal) async throws -> [StoreAccount] {
        guard principal.isAdmin else { throw StoreError(.forbidden, "listing accounts needs the admin token") }
        return try await catalogue.accounts()
    }

    /// A new publisher token for an existing account; only the admin issues them.
    public func issueToken(
        forAccount id: String, description: String, lifetime: Int64? = nil, by principal: Principal
    ) async throws -> String {
        guard principal.isAdmin else { throw StoreError(.forbidden, "issuing tokens needs the admin token") }
        guard try await catalogue.account(id: id) != nil else { throw StoreError(.notFound, "no account \"\(id)\"") }
        if let lifetime, lifetime <= 0 { throw StoreError(.invalid, "expires-in must be a positive number of seconds") }
        return try await issueToken(
            for: Principal(role: .publisher, accountID: id), description: description, lifetime: lifetime)
    }

    /// A snap by name that this principal may publish: its own, or any for the admin.
    public func ownedSnap(named name: String, store: String? = nil, by principal: Principal) async throws
        -> SnapDossier
    {
        let snap = try await self.snap(named: name, store: store)
        try requirePublisher(snap, principal, .access)
        return try await dossier(of: snap)
    }

    /// The same by snap-id, as snapcraft's dashboard paths name snaps.
    public func ownedSnap(id: String, by principal: Principal) async throws -> SnapDossier {
        guard let snap = try await catalogue.snap(id: id) else { throw StoreError(.notFound, "no snap with id \(id)") }
        try requirePublisher(snap, principal, .access)
        return try await dossier(of: snap)
    }

    /// Every snap the principal publishes; none for the admin token, which has no account.
    public func ownedSnaps(by principal: Principal) async throws -> [SnapDossier] {
        guard let accountID = principal.accountID else { return [] }
        let snaps = try await catalogue.snaps(publisherID: accountID)
        let dossiers = try await catalogue.dossiers(snapIDs: snaps.map(\.snapID))
        return snaps.compactMap { dossiers[$0.snapID] }
    }

    /// Every release, close and progressive change of a snap, oldest first.
    public func releaseHistory(of snap: SnapRecord) async throws -> [ReleaseEvent] {
        try await catalogue.releaseHistory(snapID: snap.snapID)
    }

    /// Changes the listing fields that are given and keeps the others.
    public func updateListing(
        snapID: String, title: String?, summary: String?, description: String?, license: String?,
        by principal: Principal
    ) async throws {
        var listing = try await catalogue.snapListing(snapID: snapID)
        if let title { listing.title = title }
        if let summary { listing.summary = summary }
        if let description { listing.description = description }
        if let license { listing.license = license }
        try await setListing(listing, snapID: snapID, by: principal)
    }

    private func dossier(of snap: SnapRecord) async throws -> SnapDossier {
        guard let dossier = try await catalogue.dossier(snapID: snap.snapID) else {
            throw StoreError(.notFound, "snap \"\(snap.name)\" is not registered")
        }
        return dossier
    }
}
