import Hummingbird

extension Request {
    /// The host and port the client used, which is where it will come back.
    var authorityHost: String {
        head.authority ?? "127.0.0.1"
    }

    /// The base URL the client used, which download and status URLs in answers start with.
    var baseURL: String {
        "http://\(authorityHost)"
    }
}
