import Assertions
import Hummingbird
import StoreCore

/// The admin API's device side: the serial vault's keys and the device inventory. A brand's token
/// sees its own devices and keys; the admin token sees all.
struct AdminDeviceRoutes {
    let store: SnapStore

    func add(to router: Router<BasicRequestContext>) {
        let api = router.group("admin/v1")
        api.post("accounts/{id}/vault-keys") { request, context in
            let principal = try await store.principal(for: request)
            let accountID = try context.parameters.require("id")
            let body = try await JSONCoding.decode(NewVaultKey.self, from: request)
            let key = try PrivateKey(importing: body.privateKey)
            try await store.addVaultKey(key, accountID: accountID, by: principal)
            return try JSONCoding.response(
                VaultKeys(
                    accountID: accountID, keyIDs: try await store.vaultKeyIDs(accountID: accountID, by: principal)),
                status: .created)
        }
        api.get("accounts/{id}/vault-keys") { request, context in
            let principal = try await store.principal(for: request)
            let accountID = try context.parameters.require("id")
            return try JSONCoding.response(
                VaultKeys(
                    accountID: accountID, keyIDs: try await store.vaultKeyIDs(accountID: accountID, by: principal)))
        }
        api.get("devices") { request, _ in
            let principal = try await store.principal(for: request)
            let query = request.uri.queryParameters
            let seenSince = try query.get("seen-since").map { (text: String) -> Int64 in
                guard let value = Int64(text) else {
                    throw StoreError(.invalid, "seen-since is seconds since the epoch, not \"\(text)\"")
                }
                return value
            }
            let filter = DeviceFilter(
                brandID: query.get("brand"), model: query.get("model"), serial: query.get("serial"),
                seenSince: seenSince)
            return try JSONCoding.response(try await store.devices(filter, by: principal))
        }
        api.get("devices/{brand}/{model}/{serial}") { request, context in
            let principal = try await store.principal(for: request)
            let brand = try context.parameters.require("brand")
            let model = try context.parameters.require("model")
            let serial = try context.parameters.require("serial")
            guard
                let device = try await store.devices(
                    DeviceFilter(brandID: brand, model: model, serial: serial), by: principal
                ).first
            else {
                throw StoreError(.notFound, "no device \(brand)/\(model)/\(serial) in the inventory")
            }
            let assertion = try await store.catalogue.assertion(AssertionReference(.serial, [brand, model, serial]))
            return try JSONCoding.response(DeviceDetail(device: device, serialAssertion: assertion?.encodedText))
        }
    }
}
