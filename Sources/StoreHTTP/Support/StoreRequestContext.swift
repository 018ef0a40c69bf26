import Hummingbird
import NIOCore
import StoreCore

/// The request context of every route: who is asking, filled in by the authenticators of the
/// route groups that need to know (`PublisherAuthenticator`, `DeviceAuthenticator`).
public struct StoreRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The publisher or admin behind the `Authorization` header, once `PublisherAuthenticator` ran.
    var principal: Principal?
    /// Why the header's credential was refused; thrown only by routes that need a principal.
    var authenticationFailure: APIError?
    /// The device behind a device-API request, once `DeviceAuthenticator` ran.
    var device: DeviceIdentity?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    /// The caller, or the 401 that says why there is none.
    func requirePrincipal() throws -> Principal {
        if let principal { return principal }
        throw authenticationFailure
            ?? APIError(.unauthorized, code: "unauthorized", "this action needs a token: Authorization: Bearer TOKEN")
    }

    /// The admin, asked before a body is read, so a refused caller costs no more than its headers.
    func requireAdmin() throws -> Principal {
        let principal = try requirePrincipal()
        guard principal.isAdmin else {
            throw APIError(.forbidden, code: "forbidden", "this action needs the admin token")
        }
        return principal
    }

    /// The admin or the account itself, asked before a body is read.
    func requireActing(for accountID: String) throws -> Principal {
        let principal = try requirePrincipal()
        guard principal.isAdmin || principal.accountID == accountID else {
            throw APIError(.forbidden, code: "forbidden", "this token cannot act for account \(accountID)")
        }
        return principal
    }

    /// The device; routes in the device group always have one.
    func requireDevice() throws -> DeviceIdentity {
        guard let device else {
            throw APIError(.internalServerError, code: "internal-error", "device route outside the device group")
        }
        return device
    }
}
