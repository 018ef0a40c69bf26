/// Why a device's attempt failed, as a release manager groups failures.
public enum FailureCause: String, Codable, Sendable, CaseIterable, Comparable {
    case corruptDownload = "corrupt download"
    case checkHealth = "check-health failed"
    case bootFailed = "boot failed"
    case downloadCut = "download cut"
    case storeError = "store error"
    case unreachable = "store unreachable"
    case registration = "registration failed"
    case verification = "verification failed"
    case other

    /// The cause of an agent's failure, from its words.
    init(reason: String) {
        let text = reason.lowercased()
        if text.contains("sha3-384 mismatch") || text.contains("not have expected size") {
            self = .corruptDownload
        } else if text.contains("check-health") {
            self = .checkHealth
        } else if text.contains("boot") {
            self = .bootFailed
        } else if text.contains("cannot reach") || text.contains("connection refused") {
            self = .unreachable
        } else if text.contains("downloading") || text.contains("eof") || text.contains("closed") {
            self = .downloadCut
        } else if text.contains("http 5") || text.contains("answered 5") {
            self = .storeError
        } else if text.contains("register") || text.contains("serial") {
            self = .registration
        } else if text.contains("verify") || text.contains("signature") {
            self = .verification
        } else {
            self = .other
        }
    }

    /// Failures after the switch to the new revision: the device went back to the old one.
    var isRevert: Bool { self == .checkHealth || self == .bootFailed }

    public static func < (lhs: FailureCause, rhs: FailureCause) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
