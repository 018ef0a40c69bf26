import Foundation
import StoreCore

/// Request and response bodies of the admin API; field names as the JSON has them.
struct WhoAmI: Codable {
    let role: String
    let accountID: String?
}

struct TrustInfo: Codable {
    let authorityID: String
    let trusted: String
    let storeAccountKey: String
    /// Other roots trusted for imports (`POST /admin/v1/trust`, `snapdepot trust add`).
    let importsTrusted: String
}

struct NewAccount: Codable {
    let username: String
    let displayName: String?
    let id: String?
    let validation: String?
    let email: String?
}

struct NewToken: Codable {
    let description: String?
    /// Seconds until it stops working; it never does without one.
    let expiresIn: Int64?
}

struct IssuedToken: Codable {
    let token: String
    let accountID: String
}

struct NewKey: Codable {
    let name: String
    let publicKey: String
}

struct RegisteredKey: Codable {
    let keyID: String
    let accountKey: String
}

struct NewSnap: Codable {
    let name: String
    let publisher: String?
    let store: String?
    let isPrivate: Bool?
    /// Fixes the snap-id (admin only).
    let snapID: String?
}

struct NewRelease: Codable {
    let revision: Int
    let channels: [String]
    let progressive: Double?
    let store: String?
    /// A targeted release: the group whose devices get it.
    let to: String?
    /// A health gate: `5%` (a share of the devices that tried it) or `3` (a number of them).
    let haltAt: String?
    /// Attempts before the gate can trip (default 1 for a count, 10 for a share).
    let minAttempts: Int?

    func gate() throws -> ChannelRelease.HealthGate? {
        guard let haltAt else {
            guard minAttempts == nil else { throw StoreError(.invalid, "min-attempts goes with halt-at") }
            return nil
        }
        let text = haltAt.trimmingCharacters(in: .whitespaces)
        if text.hasSuffix("%") {
            guard let percent = Double(text.dropLast()) else {
                throw StoreError(.invalid, "halt-at \"\(haltAt)\" is not a share like 5% or a count like 3")
            }
            return .init(failurePercent: percent, minimumAttempts: minAttempts ?? 10)
        }
        guard let count = Int(text) else {
            throw StoreError(.invalid, "halt-at \"\(haltAt)\" is not a share like 5% or a count like 3")
        }
        return .init(failureCount: count, minimumAttempts: minAttempts ?? 1)
    }
}

/// `POST /admin/v1/faults`: what `Fault` holds, with the snap by name.
struct NewFault: Codable {
    let kind: String
    let endpoint: String?
    let snap: String?
    let store: String?
    let revision: Int?
    let group: String?
    let devicePercent: Double?
    let chance: Double?
    let times: Int?
    let status: Int?
    let delayMs: Int?
    let afterBytes: Int?
    let bytesPerSecond: Int?

    func fault() throws -> Fault {
        guard let kind = Fault.Kind(rawValue: kind) else {
            throw StoreError(
                .invalid,
                "unknown fault kind \"\(self.kind)\": \(Fault.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let defaultEndpoint: Fault.Endpoint =
            [.cut, .throttle, .corrupt, .failCheckHealth].contains(kind) ? .download : .refresh
        guard let endpoint = endpoint.map(Fault.Endpoint.init(rawValue:)) ?? defaultEndpoint else {
            throw StoreError(.invalid, "unknown endpoint \"\(endpoint ?? "")\": refresh, download or assertions")
        }
        return Fault(
            kind: kind, endpoint: endpoint, revision: revision, group: group, devicePercent: devicePercent,
            chance: chance, times: times, status: status, delayMilliseconds: delayMs, afterBytes: afterBytes,
            bytesPerSecond: bytesPerSecond)
    }
}

/// `POST /admin/v1/snaps/{name}/rollouts`.
struct RolloutChange: Codable {
    let channel: String
    let action: String
    let store: String?
}

/// `POST /admin/v1/devices/tags`: tags added to and removed from devices named by serial.
struct DeviceTagging: Codable {
    let serials: [String]
    let brand: String?
    let model: String?
    let add: [String]?
    let remove: [String]?
}

/// `POST /admin/v1/groups`.
struct NewDeviceGroup: Codable {
    let name: String
    let brand: String?
    let model: String?
    let tag: String?
    let serials: [String]?
}

/// A group and the devices in it now.
struct DeviceGroupView: Codable {
    let group: DeviceGroup
    let devices: [DeviceRecord]
}

struct Promotion: Codable {
    let fromChannel: String
    let toChannel: String
    let store: String?
}

/// A delta to make now, between two revisions of a snap.
struct DeltaOrder: Codable {
    let source: Int
    let target: Int
    let store: String?
}

struct CloseChannels: Codable {
    let channels: [String]
    let store: String?
}

struct ProgressiveChange: Codable {
    let channel: String
    let percentage: Double?
    let paused: Bool?
    let store: String?
}

struct TrackChange: Codable {
    let add: [String]?
    let defaultTrack: String?
    let store: String?
}

struct NewBrandStore: Codable {
    let store: String
    let operatorID: String
    let url: String?
    let friendlyStores: [String]?
    let location: String?
}

struct NewVaultKey: Codable {
    /// The private key as PEM, armored OpenPGP or snapd's encoding.
    let privateKey: String
}

struct VaultKeys: Codable {
    let accountID: String
    let keyIDs: [String]
}
