import Assertions
import Foundation

/// The serial vault's signing keys (brand keys, or keys of a model's serial authorities), kept
/// 0600 in a key store and never served, and how long it makes devices wait.
public actor SerialVault {
    /// Where the keys live; nil for a store that cannot issue serials.
    public let keys: KeyStore?
    /// Seconds between a device's first serial-request and its serial: until then it is told 202,
    /// to come back, as a vault that needs approval does. 0 answers at once.
    public let approvalDelay: Int64
    private var loaded: [String: PrivateKey] = [:]

    public init(keys: KeyStore?, approvalDelay: Int64 = 0) {
        self.keys = keys
        self.approvalDelay = approvalDelay
    }

    /// The key with this id, or nil when the vault does not hold it.
    func key(id: String) throws -> PrivateKey? {
        if let key = loaded[id] { return key }
        guard let keys, try keys.list().contains(where: { $0.id == id }) else { return nil }
        let key = try keys.load(id)
        loaded[id] = key
        return key
    }

    func keyIDs() throws -> [String] {
        try keys?.list().map(\.id) ?? []
    }

    /// Stores a key under the next free `vault-N` name; a key already held changes nothing.
    func add(_ key: PrivateKey) throws {
        guard let keys else { throw StoreError(.conflict, "this store has no serial vault folder") }
        let held = try keys.list()
        if held.contains(where: { $0.id == key.id }) { return }
        var number = held.count + 1
        while keys.contains("vault-\(number)") { number += 1 }
        try keys.save(key, as: "vault-\(number)")
        loaded[key.id] = key
    }
}
