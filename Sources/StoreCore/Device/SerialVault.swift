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
    /// The folder's keys by id, read once: parsing every PEM file on each serial request cost more
    /// than the request. Only `add` changes the folder while the store runs.
    private var loaded: [String: PrivateKey]?

    public init(keys: KeyStore?, approvalDelay: Int64 = 0) {
        self.keys = keys
        self.approvalDelay = approvalDelay
    }

    private func held() throws -> [String: PrivateKey] {
        if let loaded { return loaded }
        var found: [String: PrivateKey] = [:]
        for entry in try keys?.list() ?? [] { found[entry.id] = try keys?.load(entry.name) }
        loaded = found
        return found
    }

    /// The key with this id, or nil when the vault does not hold it.
    func key(id: String) throws -> PrivateKey? {
        try held()[id]
    }

    func keyIDs() throws -> [String] {
        try held().keys.sorted()
    }

    /// Stores a key under the next free `vault-N` name; a key already held changes nothing.
    func add(_ key: PrivateKey) throws {
        guard let keys else { throw StoreError(.conflict, "this store has no serial vault folder") }
        var current = try held()
        if current[key.id] != nil { return }
        var number = current.count + 1
        while keys.contains("vault-\(number)") { number += 1 }
        try keys.save(key, as: "vault-\(number)")
        current[key.id] = key
        loaded = current
    }
}
