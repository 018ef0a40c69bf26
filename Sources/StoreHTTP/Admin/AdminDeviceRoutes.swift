import Assertions
import Hummingbird
import StoreCore
import StoreProtocol

/// The admin API's device side: the serial vault's keys and the device inventory. A brand's token
/// sees its own devices and keys; the admin token sees all.
struct AdminDeviceRoutes {
    let store: SnapStore

    func add(to api: RouterGroup<StoreRequestContext>) {
        api.post("accounts/{id}/vault-keys", use: addVaultKey)
        api.get("accounts/{id}/vault-keys", use: vaultKeys)
        api.get("accounts/{id}/vault-policy", use: vaultPolicy)
        api.put("accounts/{id}/vault-policy", use: setVaultPolicy)
        api.get("devices", use: devices)
        api.post("devices/tags", use: tagDevices)
        api.get("devices/{brand}/{model}/{serial}", use: device)
        api.delete("devices/{brand}/{model}/{serial}/sessions", use: revokeSessions)
        api.get("groups", use: groups)
        api.post("groups", use: saveGroup)
        api.get("groups/{name}", use: group)
        api.delete("groups/{name}", use: deleteGroup)
    }

    @Sendable func tagDevices(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(DeviceTagging.self, from: request, dialect: .admin)
        let tagged = try await store.tagDevices(
            serials: body.serials, brandID: body.brand, model: body.model, add: body.add ?? [],
            remove: body.remove ?? [], by: principal)
        return try JSONBody.response(tagged, dialect: .admin)
    }

    @Sendable func groups(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try JSONBody.response(try await store.groups(by: try context.requirePrincipal()), dialect: .admin)
    }

    @Sendable func saveGroup(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(NewDeviceGroup.self, from: request, dialect: .admin)
        guard let brandID = body.brand ?? principal.accountID else {
            throw StoreError(.invalid, "name the brand whose devices the group holds")
        }
        let group = DeviceGroup(
            name: body.name, brandID: brandID, model: body.model, tag: body.tag, serials: body.serials)
        let members = try await store.saveGroup(group, by: principal)
        return try JSONBody.response(DeviceGroupView(group: group, devices: members), status: .created, dialect: .admin)
    }

    @Sendable func group(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let (group, members) = try await store.group(
            named: try context.parameters.require("name"), by: try context.requirePrincipal())
        return try JSONBody.response(DeviceGroupView(group: group, devices: members), dialect: .admin)
    }

    @Sendable func deleteGroup(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try await store.deleteGroup(named: try context.parameters.require("name"), by: try context.requirePrincipal())
        return Response(status: .noContent)
    }

    @Sendable func addVaultKey(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let accountID = try context.parameters.require("id")
        let principal = try context.requireActing(for: accountID)
        let body = try await JSONBody.decode(NewVaultKey.self, from: request, dialect: .admin)
        let key = try PrivateKey(importing: body.privateKey)
        try await store.addVaultKey(key, accountID: accountID, by: principal)
        let keys = VaultKeys(
            accountID: accountID, keyIDs: try await store.vaultKeyIDs(accountID: accountID, by: principal))
        return try JSONBody.response(keys, status: .created, dialect: .admin)
    }

    @Sendable func vaultKeys(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let accountID = try context.parameters.require("id")
        let keys = VaultKeys(
            accountID: accountID, keyIDs: try await store.vaultKeyIDs(accountID: accountID, by: principal))
        return try JSONBody.response(keys, dialect: .admin)
    }

    @Sendable func vaultPolicy(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let accountID = try context.parameters.require("id")
        let policy = try await store.vaultPolicy(brandID: accountID, by: try context.requireActing(for: accountID))
        return try JSONBody.response(Self.listing(policy, apiKey: nil), dialect: .admin)
    }

    @Sendable func setVaultPolicy(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let accountID = try context.parameters.require("id")
        let principal = try context.requireActing(for: accountID)
        let body = try await JSONBody.decode(VaultPolicyChange.self, from: request, dialect: .admin)
        guard let mode = VaultPolicy.Mode(rawValue: body.mode) else {
            throw StoreError(
                .invalid,
                "mode \"\(body.mode)\" is not one of \(VaultPolicy.Mode.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        let (policy, apiKey) = try await store.setVaultPolicy(
            brandID: accountID, mode: mode, serialPatterns: body.serials ?? [], by: principal)
        return try JSONBody.response(Self.listing(policy, apiKey: apiKey), dialect: .admin)
    }

    static func listing(_ policy: VaultPolicy, apiKey: String?) -> VaultPolicyListing {
        VaultPolicyListing(
            accountID: policy.brandID, mode: policy.mode.rawValue, serials: policy.serialPatterns, apiKey: apiKey,
            summary: policy.summary)
    }

    @Sendable func devices(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = request.uri.queryParameters
        let seenSince = try query.get("seen-since").map { (text: String) -> Int64 in
            guard let value = Int64(text) else {
                throw StoreError(.invalid, "seen-since is seconds since the epoch, not \"\(text)\"")
            }
            return value
        }
        let filter = DeviceFilter(
            brandID: query.get("brand"), model: query.get("model"), serial: query.get("serial"), seenSince: seenSince,
            tag: query.get("tag"))
        return try JSONBody.response(try await store.devices(filter, by: principal), dialect: .admin)
    }

    @Sendable func device(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let detail = try await store.deviceDetail(
            brandID: try context.parameters.require("brand"), model: try context.parameters.require("model"),
            serial: try context.parameters.require("serial"), by: principal)
        return try JSONBody.response(detail, dialect: .admin)
    }

    struct RevokedSessions: Codable {
        let revoked: Int
    }

    @Sendable func revokeSessions(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let count = try await store.revokeDeviceSessions(
            brandID: try context.parameters.require("brand"), model: try context.parameters.require("model"),
            serial: try context.parameters.require("serial"), by: principal)
        return try JSONBody.response(RevokedSessions(revoked: count), dialect: .admin)
    }
}
