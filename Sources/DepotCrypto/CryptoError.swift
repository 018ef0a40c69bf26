import COpenSSL

/// A failure inside OpenSSL, with the reason OpenSSL gave.
public struct CryptoError: Error, CustomStringConvertible, Sendable, Equatable {
    public let description: String

    public init(_ what: String) {
        self.description = what
    }

    /// Drains OpenSSL's thread-local error queue into one message.
    static func openSSL(_ what: String) -> CryptoError {
        var reasons: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        if reasons.isEmpty { return CryptoError(what) }
        return CryptoError("\(what): \(reasons.joined(separator: "; "))")
    }
}
