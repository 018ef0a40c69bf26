import Assertions
import DeviceAgent
import Foundation
import StoreCore

/// The mistakes people make writing their first model, caught before signing, each with its fix.
enum ModelPreflight {
    /// Fills in what can only have one value (type, authority-id, timestamp) and refuses the rest.
    static func complete(_ input: Headers) throws -> Headers {
        var headers = input
        let type = headers["type"]?.stringValue ?? "model"
        guard type == "model" else { throw CLIError("the headers are a \(type), not a model: set type: model") }
        headers["type"] = .string("model")
        guard let brand = headers["brand-id"]?.stringValue, !brand.isEmpty else {
            throw CLIError(
                "the model has no brand-id: set brand-id to the account id of the brand that makes the device")
        }
        let authority = headers["authority-id"]?.stringValue ?? brand
        guard authority == brand else {
            throw CLIError(
                "authority-id \(authority) is not the brand-id \(brand): a brand signs its own models, "
                    + "so set authority-id: \(brand) and sign with a key registered for \(brand)")
        }
        headers["authority-id"] = .string(brand)
        guard let series = headers["series"]?.stringValue else {
            throw CLIError("the model has no series: add series: 16")
        }
        guard series == "16" else {
            throw CLIError(
                "series is \(series), but 16 is the only series snapd knows, for every Ubuntu Core: set series: 16")
        }
        if let architecture = headers["architecture"]?.stringValue, !architectures.contains(architecture) {
            let guess = closest(to: architecture, in: architectures).map { "did you mean \($0)? " } ?? ""
            throw CLIError(
                "architecture \(architecture) is not one snapd builds for (\(architectures.joined(separator: ", "))): "
                    + "\(guess)set architecture: to the board's (the seed's Raspberry Pi 3 is armhf)")
        }
        if headers["timestamp"] == nil { headers["timestamp"] = .string(Timestamp.now().text) }
        return headers
    }

    /// The Debian architecture names snapd maps Go's to (snapd's `arch/arch.go`).
    static let architectures = ["amd64", "arm64", "armhf", "i386", "powerpc", "ppc64el", "riscv64", "s390x"]

    /// The candidate at most two edits away from `word` (a misspelling: a letter wrong, missing,
    /// added, or two swapped), the nearest first.
    static func closest(to word: String, in candidates: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            // Optimal string alignment: Levenshtein plus a swap of neighbours as one edit.
            var rows = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
            for i in 0...a.count { rows[i][0] = i }
            for j in 0...b.count { rows[0][j] = j }
            for i in stride(from: 1, through: a.count, by: 1) {
                for j in stride(from: 1, through: b.count, by: 1) {
                    let cost = a[i - 1] == b[j - 1] ? 0 : 1
                    rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
                    if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                        rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
                    }
                }
            }
            return rows[a.count][b.count]
        }
        let scored = candidates.map { ($0, distance(Array(word), Array($0))) }.filter { $0.1 <= 2 && $0.0 != word }
        return scored.min { $0.1 < $1.1 }?.0
    }

    /// The headers each of the three forms needs and forbids, then snapd's own rules by signing.
    static func checkForm(_ headers: Headers, body: [UInt8], key: PrivateKey) throws -> Model {
        let classic = headers["classic"]?.stringValue == "true"
        if case .list(let entries) = headers["snaps"] {
            for header in ["gadget", "kernel", "required-snaps"] where headers[header] != nil {
                throw CLIError(
                    "this is the UC20+ form (it has snaps), which has no \(header) header: "
                        + "list the \(header == "required-snaps" ? "snaps" : header) as entries of snaps instead")
            }
            let grade = headers["grade"]?.stringValue ?? "signed"
            for case .map(let entry) in entries where entry["id"] == nil && grade != "dangerous" {
                let name = entry["name"]?.stringValue ?? "?"
                throw CLIError(
                    "snap \(name) in snaps has no id, which a \(grade) model needs: add id: with its snap-id "
                        + "(`snapdepot status \(name)` shows it)")
            }
        } else if !classic {
            if headers["gadget"] == nil {
                throw CLIError(
                    "a core model needs a gadget: add gadget: with the board's gadget snap (the seed's is pi3)")
            }
            if headers["kernel"] == nil {
                throw CLIError(
                    "a core model needs a kernel: add kernel: with the board's kernel snap (the seed's is pi2-kernel)")
            }
        }
        do {
            return try Model(AssertionSigner.sign(headers: headers, body: body, key: key))
        } catch {
            throw CLIError("snapd would refuse this model: \(error)")
        }
    }

    /// The store's id for a registered name (released or not); nil when the store has no such name.
    static func snapID(_ name: String, client: StoreClient) async -> String? {
        try? await client.get("/admin/v1/snaps/\(name)/status", as: SnapStatus.self).snapID
    }

    /// Asks the store what a device will ask it: is the key the brand's, is every snap there for the architecture.
    static func checkStore(_ model: Model, key: PrivateKey, keyName: String, client: StoreClient) async throws {
        let keyAnswer = try await client.device.send("/v2/assertions/account-key/\(key.id)")
        guard keyAnswer.status == 200 else {
            throw CLIError(
                "key \(keyName) (\(key.id)) is not registered with the store at \(client.credentials.url): "
                    + "run `snapdepot key register \(keyName) --account \(model.brandID)`")
        }
        let registered = try AssertionStream.decode(Array(keyAnswer.body)).first { $0.type == .accountKey }
        let owner = registered?.string("account-id") ?? ""
        guard owner == model.brandID else {
            throw CLIError(
                "key \(keyName) is registered for \(owner), not for the brand \(model.brandID): "
                    + "sign with a key of \(model.brandID), or set brand-id: \(owner)")
        }
        var roles: [(String, Model.Snap)] = []
        if let gadget = model.gadget { roles.append(("gadget", gadget)) }
        if let kernel = model.kernel { roles.append(("kernel", kernel)) }
        if let base = model.base { roles.append(("base", base)) }
        if let snapd = model.snapd { roles.append(("snapd snap", snapd)) }
        roles += model.otherSnaps.map { ("required snap", $0) }
        let deviceHeaders = model.store.isEmpty ? [:] : ["Snap-Device-Store": model.store]
        for (role, snap) in roles {
            let path = "/v2/snaps/info/\(snap.name)"
            let forArchitecture = try await client.device.send(
                path, query: ["architecture": model.architecture], headers: deviceHeaders)
            if forArchitecture.status == 200 {
                let info = try JSONSerialization.jsonObject(with: forArchitecture.body) as? [String: Any]
                let storeID = info?["snap-id"] as? String ?? ""
                // snapd's seed writer refuses any other (seed/seedwriter/writer.go, checkPublisher).
                let publisher =
                    ((info?["snap"] as? [String: Any])?["publisher"] as? [String: Any])?["id"] as? String ?? ""
                if role == "gadget" || role == "kernel", publisher != model.brandID, publisher != "canonical" {
                    throw CLIError(
                        "\(snap.name) (the model's \(role)) is published by \(publisher), but a model's gadget and "
                            + "kernel must come from its brand (\(model.brandID)) or from Canonical: snapd refuses to "
                            + "build the image (\"cannot use \(role) \"\(snap.name)\" published by \"\(publisher)\" for "
                            + "model by \"\(model.brandID)\"\"); name a \(role) that \(model.brandID) or canonical publishes"
                    )
                }
                if !snap.snapID.isEmpty, snap.snapID != storeID {
                    throw CLIError(
                        "the model gives \(snap.name) the id \(snap.snapID), but the store's \(snap.name) is \(storeID): "
                            + "set id: \(storeID)")
                }
                continue
            }
            let anywhere = try await client.device.send(path, headers: deviceHeaders)
            if anywhere.status == 200 {
                throw CLIError(
                    "\(snap.name) (the model's \(role)) has no revision for \(model.architecture) in any open channel: "
                        + "upload a build for \(model.architecture) and release it")
            }
            // The device API cannot tell an unregistered name from one with nothing released: say both,
            // after the likelier misspelling of a name the store has.
            let inStore = model.store.isEmpty ? "the store" : "the store \(model.store)"
            let listed = try await client.device.send("/v2/snaps/find", query: ["q": ""], headers: deviceHeaders)
            let results = (try? JSONSerialization.jsonObject(with: listed.body) as? [String: Any])?["results"]
            let names = (results as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            if let guess = closest(to: snap.name, in: names) {
                throw CLIError(
                    "\(snap.name) (the model's \(role)) is not in \(inStore): did you mean \(guess)? "
                        + "Correct the name in the model, or register \(snap.name) and release a revision for "
                        + "\(model.architecture)")
            }
            throw CLIError(
                "\(snap.name) (the model's \(role)) has no released revision in \(inStore): register it if needed "
                    + "(`snapdepot register \(snap.name)`), then upload and release a revision for \(model.architecture)"
            )
        }
    }
}
