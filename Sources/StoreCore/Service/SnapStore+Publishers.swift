import Assertions
import DepotCrypto
import Foundation

/// snapcraft's logins, minted and checked by the store itself: Ubuntu One style root and
/// discharge macaroons (the store plays Ubuntu One too), and opaque tokens for the other modes.
extension SnapStore {
    /// The message of an expired discharge; the HTTP layer answers it with snapcraft's
    /// `macaroon-needs-refresh` code, on which the client refreshes and retries.
    public static let needsRefresh = "Expired macaroon (needs refresh)."

    /// `POST /dev/api/acl/`: a root macaroon whose third-party caveat sends the client to
    /// `dischargeLocation` (the host:port it knows as Ubuntu One) for a discharge, and whose
    /// first-party caveats carry the login's limits.
    public func mintRootMacaroon(
        limits: LoginLimits, description: String, expiresAt: Int64?, dischargeLocation: String
    ) async throws -> String {
        let now = clock().seconds
        let session = PublisherSession(
            id: Identifiers.random(count: 32), caveatID: Identifiers.random(count: 32), caveatKey: RandomBytes.make(32),
            accountID: nil, permissions: limits.permissions.map { $0.map(\.rawValue).sorted() } ?? [],
            description: description, expiresAt: min(expiresAt ?? (now + 365 * 86400), now + 2 * 365 * 86400),
            createdAt: now)
        try await catalogue.addSession(session)
        var root = Macaroon(location: "snapdepot", identifier: Array(session.id.utf8), key: macaroonKey)
        for caveat in limits.caveats { root = root.addingFirstPartyCaveat(caveat) }
        return root.addingThirdPartyCaveat(location: dischargeLocation, id: Array(session.caveatID.utf8)).serialized()
    }

    /// `POST /api/v2/tokens/discharge`: the account is named by email or username; its password is
    /// one of its publisher tokens (`snapdepot accounts token`), since the store keeps no passwords.
    public func discharge(email: String, password: String, caveatID: String) async throws -> String {
        guard let session = try await catalogue.session(caveatID: caveatID) else {
            throw StoreError(.invalid, "unknown caveat id; log in again")
        }
        var account = try await catalogue.account(email: email)
        if account == nil { account = try await catalogue.account(username: email) }
        guard let account, let principal = try await authenticate(token: password),
            principal.accountID == account.id
        else {
            throw StoreError(
                .unauthorized, "the email or password is wrong (the password is a publisher token of the account)")
        }
        // A login is one account's for good: another account's password cannot take it over.
        if let bound = session.accountID, bound != account.id {
            throw StoreError(.unauthorized, "this login belongs to another account; log in again")
        }
        try await catalogue.bindSession(caveatID: session.caveatID, to: account.id)
        return mintDischarge(caveatID: caveatID, key: session.caveatKey)
    }

    /// A discharge good for `dischargeLifetime`; after that the client must refresh it, as
    /// Ubuntu One's discharges must be.
    func mintDischarge(caveatID: String, key: [UInt8]) -> String {
        let expiry = Timestamp(seconds: clock().seconds + dischargeLifetime)
        return Macaroon(location: "snapdepot-sso", identifier: Array(caveatID.utf8), key: key)
            .addingFirstPartyCaveat("time-before \(expiry.text)")
            .serialized()
    }

    /// `POST /api/v2/tokens/refresh`: a fresh discharge for the same login, given the old one
    /// (expired or not) as this store signed it: the caveat id alone, which the root macaroon
    /// shows, is not enough.
    public func refreshDischarge(_ serialized: String) async throws -> String {
        let discharge = try Macaroon(serialized: serialized)
        let caveatID = String(decoding: discharge.identifier, as: UTF8.self)
        guard let session = try await catalogue.session(caveatID: caveatID), session.accountID != nil,
            discharge.hasValidSignature(key: session.caveatKey)
        else {
            throw StoreError(.unauthorized, "the discharge does not verify; log in again")
        }
        guard session.expiresAt > clock().seconds else {
            throw StoreError(.unauthorized, "the login expired; log in again")
        }
        return mintDischarge(caveatID: caveatID, key: session.caveatKey)
    }

    /// Checks `Macaroon root=…, discharge=…`: the root was minted here, the discharge answers its
    /// third-party caveat and is bound to it, the login is not expired, and every first-party
    /// caveat is one the store enforces; the principal carries the limits they set.
    public func authenticate(root: String, discharge: String) async throws -> Principal {
        let rootMacaroon = try Macaroon(serialized: root)
        let bound = try Macaroon(serialized: discharge)
        guard rootMacaroon.hasValidSignature(key: macaroonKey),
            let session = try await catalogue.session(id: String(decoding: rootMacaroon.identifier, as: UTF8.self)),
            rootMacaroon.caveats.contains(where: { $0.isThirdParty && $0.id == Array(session.caveatID.utf8) }),
            bound.identifier == Array(session.caveatID.utf8),
            rootMacaroon.verifiesDischarge(bound, caveatKey: session.caveatKey)
        else {
            throw StoreError(.unauthorized, "the macaroon does not verify")
        }
        guard session.expiresAt > clock().seconds else {
            throw StoreError(.unauthorized, "the login expired; log in again")
        }
        guard let accountID = session.accountID else {
            throw StoreError(.unauthorized, "the login was never discharged")
        }
        var limits = LoginLimits.unlimited
        for (caveat, inDischarge) in rootMacaroon.caveats.map({ ($0, false) }) + bound.caveats.map({ ($0, true) }) {
            if caveat.isThirdParty {
                guard !inDischarge, caveat.id == Array(session.caveatID.utf8) else {
                    throw StoreError(.unauthorized, "the macaroon has a third-party caveat this store cannot discharge")
                }
                continue
            }
            let predicate = String(decoding: caveat.id, as: UTF8.self)
            if predicate.hasPrefix("time-before ") {
                guard let limit = Timestamp.parse(String(predicate.dropFirst(12))) else {
                    throw StoreError(.unauthorized, "the macaroon's caveat \"\(predicate)\" cannot be read")
                }
                if limit.seconds <= clock().seconds {
                    throw StoreError(.unauthorized, inDischarge ? Self.needsRefresh : "the login expired; log in again")
                }
            } else if !limits.narrow(by: predicate) {
                // A restriction this store would not enforce must not be taken as granted.
                throw StoreError(.unauthorized, "the macaroon has a caveat this store does not know: \(predicate)")
            }
        }
        return Principal(role: .publisher, accountID: accountID, limits: limits)
    }

    /// `POST /v1/tokens/offline/exchange` (on-prem login): a token for whoever the given one speaks for.
    public func exchange(token: String) async throws -> String {
        guard let principal = try await authenticate(token: token) else {
            throw StoreError(.unauthorized, "the macaroon is not valid for this store")
        }
        return try await issueToken(for: principal, description: "exchanged by an on-prem login")
    }

    /// Sets the email an account logs in with.
    public func setEmail(_ email: String?, accountID: String, by principal: Principal) async throws {
        try principal.requireActing(for: accountID)
        if let email {
            guard email.contains("@"), email.count <= 254 else {
                throw StoreError(.invalid, "\"\(email)\" is not an email address")
            }
            if let other = try await catalogue.account(email: email), other.id != accountID {
                throw StoreError(.conflict, "the email \(email) is used by another account")
            }
        }
        try await catalogue.setAccountEmail(id: accountID, email: email)
    }

    public func unregister(name: String, by principal: Principal) async throws -> SnapRecord {
        let snap = try await self.snap(named: name)
        try requirePublisher(snap, principal, .manage)
        do {
            try await catalogue.unregisterSnap(snapID: snap.snapID)
        } catch {
            throw StoreError(.conflict, "\(error)")
        }
        return snap
    }

    public func setListing(_ listing: SnapListing, snapID: String, by principal: Principal) async throws {
        guard let snap = try await catalogue.snap(id: snapID) else {
            throw StoreError(.notFound, "no snap with id \(snapID)")
        }
        try requirePublisher(snap, principal, .update)
        if let title = listing.title, title.count > 40 {
            throw StoreError(.invalid, "title can have up to 40 characters")
        }
        if let summary = listing.summary, summary.count > 128 {
            throw StoreError(.invalid, "summary can have up to 128 characters")
        }
        try await catalogue.setSnapListing(snapID: snapID, listing)
    }
}
