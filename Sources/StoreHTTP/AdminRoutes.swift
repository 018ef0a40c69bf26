import Assertions
import Foundation
import Hummingbird
import StoreCore

/// The admin and publisher API under `/admin/v1`, which the `snapdepot` CLI and seeding scripts use.
/// Every route needs a token; docs/admin-api.md lists them with curl examples.
struct AdminRoutes {
    let store: SnapStore

    func add(to router: Router<BasicRequestContext>) {
        let api = router.group("admin/v1")
        api.get("whoami") { request, _ in
            let principal = try await store.principal(for: request)
            return try JSONCoding.response(WhoAmI(role: principal.role.rawValue, accountID: principal.accountID))
        }
        api.get("trust") { _, _ in
            try JSONCoding.response(
                TrustInfo(
                    authorityID: store.identity.authorityID,
                    trusted: String(decoding: AssertionStream.encode(store.identity.trusted), as: UTF8.self),
                    storeAccountKey: store.identity.storeAccountKey.encodedText))
        }
        api.post("accounts") { request, _ in
            let principal = try await store.principal(for: request)
            let body = try await JSONCoding.decode(NewAccount.self, from: request)
            let account = try await store.createAccount(
                username: body.username, displayName: body.displayName, id: body.id,
                validation: body.validation ?? "unproven", by: principal)
            if let email = body.email {
                try await store.setEmail(email, accountID: account.id, by: principal)
            }
            return try JSONCoding.response(account, status: .created)
        }
        api.get("accounts") { request, _ in
            let principal = try await store.principal(for: request)
            guard principal.isAdmin else { throw StoreError(.forbidden, "listing accounts needs the admin token") }
            return try JSONCoding.response(try await store.catalogue.accounts())
        }
        api.post("accounts/{id}/tokens") { request, context in
            let principal = try await store.principal(for: request)
            guard principal.isAdmin else { throw StoreError(.forbidden, "issuing tokens needs the admin token") }
            let id = try context.parameters.require("id")
            guard try await store.catalogue.account(id: id) != nil else {
                throw StoreError(.notFound, "no account \"\(id)\"")
            }
            let body = try? await JSONCoding.decode(NewToken.self, from: request)
            let token = try await store.issueToken(
                for: Principal(role: .publisher, accountID: id), description: body?.description ?? "")
            return try JSONCoding.response(IssuedToken(token: token, accountID: id), status: .created)
        }
        api.post("accounts/{id}/keys") { request, context in
            let principal = try await store.principal(for: request)
            let body = try await JSONCoding.decode(NewKey.self, from: request)
            let key = try PublicKey(encoded: body.publicKey)
            let assertion = try await store.registerKey(
                accountID: try context.parameters.require("id"), name: body.name, publicKey: key, by: principal)
            return try JSONCoding.response(
                RegisteredKey(keyID: key.id, accountKey: assertion.encodedText), status: .created)
        }
        api.post("assertions") { request, _ in
            let principal = try await store.principal(for: request)
            var request = request
            let body = try await request.collectBody(upTo: 64 << 20)
            let assertions = try AssertionStream.decode(Array(buffer: body))
            return try JSONCoding.response(try await store.importAssertions(assertions, by: principal))
        }
        api.post("stores") { request, _ in
            let principal = try await store.principal(for: request)
            let body = try await JSONCoding.decode(NewBrandStore.self, from: request)
            let assertion = try await store.createBrandStore(
                id: body.store, operatorID: body.operatorID, url: body.url, friendlyStores: body.friendlyStores ?? [],
                location: body.location, by: principal)
            return Response(
                status: .created, headers: [.contentType: "application/x.ubuntu.assertion"],
                body: .init(byteBuffer: ByteBuffer(bytes: assertion.encoded)))
        }
        api.post("snaps") { request, _ in
            let principal = try await store.principal(for: request)
            let body = try await JSONCoding.decode(NewSnap.self, from: request)
            let snap = try await store.register(
                name: body.name, publisherID: body.publisher, store: body.store, isPrivate: body.isPrivate ?? false,
                by: principal)
            return try JSONCoding.response(snap, status: .created)
        }
        api.post("snaps/{name}/revisions") { request, context in
            let principal = try await store.principal(for: request)
            let name = try context.parameters.require("name")
            let query = request.uri.queryParameters
            let revision = try query.get("revision").map { (text: String) -> Int in
                guard let number = Int(text) else { throw StoreError(.invalid, "revision must be a number") }
                return number
            }
            let blob = try await Upload.receive(request, into: store)
            let record = try await store.upload(
                blob, name: name, store: query.get("store"), revision: revision,
                release: Self.channels(query.get("release")), by: principal)
            return try JSONCoding.response(record, status: .created)
        }
        api.post("import") { request, _ in
            let principal = try await store.principal(for: request)
            let blob = try await Upload.receive(request, into: store)
            let record = try await store.importSnap(
                blob, assertions: [], release: Self.channels(request.uri.queryParameters.get("release")), by: principal)
            return try JSONCoding.response(record, status: .created)
        }
        api.get("snaps/{name}/revisions") { request, context in
            _ = try await store.principal(for: request)
            return try JSONCoding.response(
                try await store.revisions(
                    name: try context.parameters.require("name"), store: request.uri.queryParameters.get("store")))
        }
        api.post("snaps/{name}/releases") { request, context in
            let principal = try await store.principal(for: request)
            let body = try await JSONCoding.decode(NewRelease.self, from: request)
            _ = try await store.release(
                name: try context.parameters.require("name"), store: body.store, revision: body.revision,
                channels: body.channels, progressive: body.progressive, by: principal)
            return try JSONCoding.response(
                try await store.status(name: try context.parameters.require("name"), store: body.store))
        }
        api.post("snaps/{name}/close") { request, context in
            let principal = try await store.principal(for: request)
            let body = try await JSONCoding.decode(CloseChannels.self, from: request)
            let name = try context.parameters.require("name")
            _ = try await store.close(name: name, store: body.store, channels: body.channels, by: principal)
            return try JSONCoding.response(try await store.status(name: name, store: body.store))
        }
        api.post("snaps/{name}/progressive") { request, context in
            let principal = try await store.principal(for: request)
            let body = try await JSONCoding.decode(ProgressiveChange.self, from: request)
            let name = try context.parameters.require("name")
            _ = try await store.setProgressive(
                name: name, store: body.store, channel: body.channel, percentage: body.percentage, paused: body.paused,
                by: principal)
            return try JSONCoding.response(try await store.status(name: name, store: body.store))
        }
        api.post("snaps/{name}/tracks") { request, context in
            let principal = try await store.principal(for: request)
            let body = try await JSONCoding.decode(TrackChange.self, from: request)
            let name = try context.parameters.require("name")
            _ = try await store.configureTracks(
                name: name, store: body.store, add: body.add ?? [], defaultTrack: body.defaultTrack, by: principal)
            return try JSONCoding.response(try await store.status(name: name, store: body.store))
        }
        api.get("snaps/{name}/status") { request, context in
            _ = try await store.principal(for: request)
            return try JSONCoding.response(
                try await store.status(
                    name: try context.parameters.require("name"), store: request.uri.queryParameters.get("store")))
        }
        api.get("snaps/{name}/history") { request, context in
            _ = try await store.principal(for: request)
            let snap = try await store.snap(
                named: try context.parameters.require("name"), store: request.uri.queryParameters.get("store"))
            return try JSONCoding.response(try await store.catalogue.releaseHistory(snapID: snap.snapID))
        }
    }

    static func channels(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter {
            !$0.isEmpty
        }
    }
}
