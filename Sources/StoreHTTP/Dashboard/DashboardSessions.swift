import DepotCrypto
import Foundation
import Hummingbird
import StoreCore
import Synchronization

/// Who signed in to the dashboard, by the session cookie it set: the token they entered (checked
/// again at every request, so a revoked token ends the session at once) and the session's CSRF
/// token, which every form carries. In this process only: a restart signs everyone out.
final class DashboardSessions: Sendable {
    struct Session: Sendable {
        let token: String
        let csrf: String
        let expires: Date
    }

    static let cookie = "snapdepot_session"
    /// Before signing in, the sign-in form's own CSRF token (double submit: cookie and field).
    static let signInCookie = "snapdepot_sign_in"
    static let lifetime: TimeInterval = 12 * 3600
    /// Sessions kept at once; past it the oldest go.
    static let capacity = 10_000

    private let sessions = Mutex<[String: Session]>([:])

    /// A new session for `token`: its id (the cookie's value) and CSRF token.
    func open(token: String) -> (id: String, csrf: String) {
        let id = Self.random()
        let csrf = Self.random()
        sessions.withLock { sessions in
            let now = Date()
            sessions = sessions.filter { $0.value.expires > now }
            if sessions.count >= Self.capacity, let oldest = sessions.min(by: { $0.value.expires < $1.value.expires }) {
                sessions[oldest.key] = nil
            }
            sessions[id] = Session(token: token, csrf: csrf, expires: now.addingTimeInterval(Self.lifetime))
        }
        return (id, csrf)
    }

    func session(_ request: Request) -> Session? {
        guard let id = Self.cookie(Self.cookie, in: request) else { return nil }
        return sessions.withLock { sessions in
            guard let session = sessions[id], session.expires > Date() else { return nil }
            return session
        }
    }

    func close(_ request: Request) {
        guard let id = Self.cookie(Self.cookie, in: request) else { return }
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }

    /// A cookie's value from the request's `Cookie` header.
    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }

    /// `Set-Cookie` for the dashboard: HttpOnly, SameSite=Strict, the whole site.
    static func setCookie(_ name: String, _ value: String, maxAge: Int) -> String {
        "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict; Max-Age=\(maxAge)"
    }

    static func random() -> String {
        Base64.urlEncoded(RandomBytes.make(24))
    }

    /// Constant-time comparison of two secrets.
    static func same(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
