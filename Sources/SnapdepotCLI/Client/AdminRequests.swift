/// Bodies of the admin API's actions (docs/admin-api.md), as the CLI's commands and the fleet's
/// release manager send them.
struct ReleaseRequest: Encodable {
    let revision: Int
    let channels: [String]
    let progressive: Double?
    let store: String?
    let to: String?
    let haltAt: String?
    let minAttempts: Int?
}

struct FaultRequest: Encodable {
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
}

struct GroupRequest: Encodable {
    let name: String
    let brand: String?
    let model: String?
    let tag: String?
    let serials: [String]?
}

struct TagRequest: Encodable {
    let serials: [String]
    let brand: String?
    let model: String?
    let add: [String]
    let remove: [String]
}
