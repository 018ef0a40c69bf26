import StoreCore

/// Request and response bodies of the admin API; field names as the JSON has them.
struct WhoAmI: Codable {
    let role: String
    let accountID: String?
}

struct TrustInfo: Codable {
    let authorityID: String
    let trusted: String
    let storeAccountKey: String
}

struct NewAccount: Codable {
    let username: String
    let displayName: String?
    let id: String?
    let validation: String?
    let email: String?
}

struct NewToken: Codable {
    let description: String?
}

struct IssuedToken: Codable {
    let token: String
    let accountID: String
}

struct NewKey: Codable {
    let name: String
    let publicKey: String
}

struct RegisteredKey: Codable {
    let keyID: String
    let accountKey: String
}

struct NewSnap: Codable {
    let name: String
    let publisher: String?
    let store: String?
    let isPrivate: Bool?
}

struct NewRelease: Codable {
    let revision: Int
    let channels: [String]
    let progressive: Double?
    let store: String?
}

struct CloseChannels: Codable {
    let channels: [String]
    let store: String?
}

struct ProgressiveChange: Codable {
    let channel: String
    let percentage: Double?
    let paused: Bool?
    let store: String?
}

struct TrackChange: Codable {
    let add: [String]?
    let defaultTrack: String?
    let store: String?
}

struct NewBrandStore: Codable {
    let store: String
    let operatorID: String
    let url: String?
    let friendlyStores: [String]?
    let location: String?
}

struct NewVaultKey: Codable {
    /// The private key as PEM, armored OpenPGP or snapd's encoding.
    let privateKey: String
}

struct VaultKeys: Codable {
    let accountID: String
    let keyIDs: [String]
}
