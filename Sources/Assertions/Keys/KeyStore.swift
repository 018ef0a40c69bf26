import Foundation

/// Private keys on disk, one PKCS#8 PEM file per key name, readable by the owner only (0600, in a
/// 0700 folder). Keys are found by name or by key id; nothing here prints key material.
public struct KeyStore: Sendable {
    public let directory: URL

    public init(directory: URL) {
        self.directory = directory
    }

    /// `$SNAPDEPOT_KEYS`, else `$XDG_DATA_HOME/snapdepot/keys`, else `~/.local/share/snapdepot/keys`.
    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let explicit = environment["SNAPDEPOT_KEYS"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let dataHome =
            environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".local/share")
        return dataHome.appendingPathComponent("snapdepot/keys")
    }

    public struct Entry: Sendable, Equatable {
        public let name: String
        public let id: String
        public let bits: Int
    }

    public func list() throws -> [Entry] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".pem") }
            .sorted()
            .map { file in
                let name = String(file.dropLast(4))
                let key = try load(name)
                return Entry(name: name, id: key.id, bits: key.publicKey.bitCount)
            }
    }

    public func contains(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: path(of: name).path)
    }

    /// Loads by name, or by key id when no key has that name.
    public func load(_ nameOrID: String) throws -> PrivateKey {
        try Self.checkName(nameOrID, allowKeyID: true)
        if contains(nameOrID) {
            let text = try String(contentsOf: path(of: nameOrID), encoding: .utf8)
            return try PrivateKey(importing: text)
        }
        for entry in try list() where entry.id == nameOrID {
            return try load(entry.name)
        }
        throw KeyStoreError("no key named \"\(nameOrID)\" in \(directory.path); `snapdepot key list` shows the keys")
    }

    /// Saves a new key; refuses to replace an existing one.
    public func save(_ key: PrivateKey, as name: String) throws {
        try Self.checkName(name, allowKeyID: false)
        guard !contains(name) else {
            throw KeyStoreError("a key named \"\(name)\" already exists in \(directory.path)")
        }
        if let existing = try list().first(where: { $0.id == key.id }) {
            throw KeyStoreError("this key is already stored as \"\(existing.name)\"")
        }
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try PrivateFile.write(Array(try key.pem().utf8), to: path(of: name))
    }

    private func path(of name: String) -> URL {
        directory.appendingPathComponent("\(name).pem")
    }

    /// Key names follow snapd's account-key name rule, so they can be registered as such.
    static func checkName(_ name: String, allowKeyID: Bool) throws {
        if allowKeyID && name.count == 64 && name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
            return
        }
        guard NameRule.accountKeyName.matches(name) else {
            throw KeyStoreError(
                "invalid key name \"\(name)\": use lower-case letters, digits and single dashes, with at least one letter"
            )
        }
    }
}

public struct KeyStoreError: Error, CustomStringConvertible, Sendable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
