import DepotCrypto
import Foundation
import StoreProtocol

/// A cohort of one snap (`POST /v2/cohorts`, `snap refresh --cohort=KEY`): devices that present
/// the same key are one unit for its progressive releases, so all of them get a rollout's revision
/// or none does, and they keep seeing the same revision as each other until they leave the cohort
/// (`--leave-cohort`: snapd then stops sending the key). The key is opaque to snapd; here it is
/// base64 of `1 SNAP-ID CREATED NONCE MAC`, the MAC an HMAC-SHA256 under the store's persistent
/// secret, so a key cannot be made up or moved to another snap.
struct Cohort: Equatable {
    let snapID: String
    let nonce: String

    /// Where the cohort stands in the snap's rollout order, as a device's serial places it.
    var rolloutBucket: Double { RolloutPosition.of(snapID, serialKey: "cohort/\(nonce)") }

    static func mint(snapID: String, at now: Int64, secret: [UInt8]) -> String {
        let body = "1 \(snapID) \(now) \(Identifiers.random(count: 24))"
        return Data("\(body) \(mac(body, secret))".utf8).base64EncodedString()
    }

    /// The cohort a key names for `snapID`; nil for a key that is not this store's for this snap.
    static func read(_ key: String, snapID: String, secret: [UInt8]) -> Cohort? {
        guard let data = Data(base64Encoded: key), let text = String(data: data, encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 5, fields[0] == "1", fields[1] == snapID,
            HMACSHA256.isEqual(
                Array(fields[4].utf8), Array(mac(fields[0..<4].joined(separator: " "), secret).utf8))
        else { return nil }
        return Cohort(snapID: snapID, nonce: fields[3])
    }

    private static func mac(_ body: String, _ secret: [UInt8]) -> String {
        // A key of its own, derived from the store's secret, so a cohort MAC is no macaroon's signature.
        let key = HMACSHA256.authenticate(key: secret, data: Array("snapdepot cohort keys".utf8))
        return Hex.encode(HMACSHA256.authenticate(key: key, data: Array(body.utf8)))
    }
}
