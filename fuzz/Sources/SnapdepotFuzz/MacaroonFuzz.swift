import StoreCore

/// A publisher's `Authorization: Macaroon root=…, discharge=…` values, parsed before any check.
enum MacaroonFuzz {
    static func run(_ bytes: [UInt8]) {
        guard let macaroon = try? Macaroon(serialized: String(decoding: bytes, as: UTF8.self)) else { return }
        _ = macaroon.serialized()
        _ = macaroon.hasValidSignature(key: Array(repeating: 7, count: 32))
    }
}
