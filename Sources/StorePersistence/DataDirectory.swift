import Assertions
import DepotCrypto
import Foundation
import StoreCore

/// A store's data folder: `store.db` (SQLite, WAL), `blobs/`, `keys/` (0600 PEM files),
/// the trusted roots, and the admin token (0600). Created on first start.
public struct DataDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path
    }

    var databasePath: String { path + "/store.db" }
    public var blobsPath: String { path + "/blobs" }
    var keysPath: String { path + "/keys" }
    var trustedPath: String { path + "/trusted.assert" }
    var storeAccountKeyPath: String { path + "/store-account-key.assert" }
    var extraTrustedPath: String { path + "/extra-trusted.assert" }
    public var adminTokenPath: String { path + "/admin-token" }
    var macaroonKeyPath: String { keysPath + "/macaroon.key" }
    /// The serial vault's signing keys (0600 PEM files in a 0700 folder), never served.
    public var vaultKeysPath: String { path + "/vault-keys" }

    /// The secret root macaroons are signed with, made at first start (0600).
    func macaroonKey() throws -> [UInt8] {
        if let data = FileManager.default.contents(atPath: macaroonKeyPath), data.count == 32 { return Array(data) }
        let key = RandomBytes.make(32)
        try FileManager.default.createDirectory(
            atPath: keysPath, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try PrivateFile.write(key, to: URL(fileURLWithPath: macaroonKeyPath))
        return key
    }

    public var isInitialized: Bool {
        FileManager.default.fileExists(atPath: trustedPath)
            && FileManager.default.fileExists(atPath: keysPath + "/store.pem")
    }

    /// Writes a signing identity: the store key, the root key when there is one, the trusted
    /// assertions and the store key's account-key.
    public func install(identity: StoreIdentity, rootKey: PrivateKey?) throws {
        try FileManager.default.createDirectory(
            atPath: keysPath, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let keys = KeyStore(directory: URL(fileURLWithPath: keysPath))
        try keys.save(identity.storeKey, as: "store")
        if let rootKey { try keys.save(rootKey, as: "root") }
        try Data(AssertionStream.encode(identity.trusted)).write(to: URL(fileURLWithPath: trustedPath))
        try Data(AssertionStream.encode([identity.storeAccountKey])).write(
            to: URL(fileURLWithPath: storeAccountKeyPath))
    }

    public func loadIdentity() throws -> StoreIdentity {
        let keys = KeyStore(directory: URL(fileURLWithPath: keysPath))
        let trusted = try AssertionStream.decode(Array(try Data(contentsOf: URL(fileURLWithPath: trustedPath))))
        guard
            let storeAccountKey = try AssertionStream.decode(
                Array(try Data(contentsOf: URL(fileURLWithPath: storeAccountKeyPath)))
            ).first
        else { throw StoreError(.internalError, "\(storeAccountKeyPath) is empty") }
        return try StoreIdentity(
            authorityID: storeAccountKey.authorityID, storeKey: try keys.load("store"), trusted: trusted,
            storeAccountKey: storeAccountKey)
    }

    public func loadExtraTrusted() throws -> [Assertion] {
        guard let data = FileManager.default.contents(atPath: extraTrustedPath) else { return [] }
        return try AssertionStream.decode(Array(data))
    }

    /// Adds roots to trust besides the store's own (account and account-key assertions).
    public func addTrusted(_ assertions: [Assertion]) throws {
        _ = try TrustDatabase(trusted: assertions)
        let current = try loadExtraTrusted()
        let merged = current + assertions.filter { new in !current.contains(new) }
        // Written whole or not at all: a torn trust file would leave the store unable to start.
        try PrivateFile.write(AssertionStream.encode(merged), to: URL(fileURLWithPath: extraTrustedPath))
    }

    /// Opens the store, creating the folder, a generated root and store key, and an admin token
    /// on first use. Returns the store and the admin token when one was just created. The
    /// catalogue is `store.db` in the folder, or the PostgreSQL database `database` names; blobs,
    /// keys and the admin token stay in the folder either way.
    public func openStore(
        authorityID: String = "snapdepot", keyBits: Int = 4096, uploadLimit: UInt64 = 4 << 30,
        dischargeLifetime: Int64 = 86400, deviceSessionLifetime: Int64 = 30 * 86400, serialApprovalDelay: Int64 = 0,
        deltas: Bool = false, database: PostgresLocation? = nil
    ) async throws -> (store: SnapStore, catalogue: any Catalogue, newAdminToken: String?) {
        try FileManager.default.createDirectory(
            atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if !isInitialized {
            let (identity, rootKey) = try StoreIdentity.generate(authorityID: authorityID, bits: keyBits)
            try install(identity: identity, rootKey: rootKey)
        }
        let catalogue: any Catalogue =
            if let database { try await PostgresCatalogue(database) } else { try SQLiteCatalogue(path: databasePath) }
        let store = SnapStore(
            catalogue: catalogue, blobs: try FileBlobStorage(root: blobsPath), identity: try loadIdentity(),
            extraTrusted: try loadExtraTrusted(), uploadLimit: uploadLimit, macaroonKey: try macaroonKey(),
            dischargeLifetime: dischargeLifetime, deviceSessionLifetime: deviceSessionLifetime,
            vault: SerialVault(
                keys: KeyStore(directory: URL(fileURLWithPath: vaultKeysPath)), approvalDelay: serialApprovalDelay),
            deltas: deltas,
            saveExtraTrusted: { [extraTrustedPath] roots in
                // Written whole or not at all: a torn trust file would leave the store unable to start.
                try PrivateFile.write(AssertionStream.encode(roots), to: URL(fileURLWithPath: extraTrustedPath))
            })
        _ = try await store.start()
        var newToken: String?
        if !FileManager.default.fileExists(atPath: adminTokenPath) {
            let token = try await store.issueToken(for: .admin, description: "admin token made at first start")
            try PrivateFile.write(Array((token + "\n").utf8), to: URL(fileURLWithPath: adminTokenPath))
            newToken = token
        }
        return (store, catalogue, newToken)
    }

    public func adminToken() throws -> String {
        try String(contentsOfFile: adminTokenPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
