/// Which devices a brand's serial vault signs for. A workshop's vault is open (any device of a
/// model the store holds); a factory line's presents an API key in the serial request's headers,
/// as a gadget's `prepare-device` hook sets snapd's `device-service.headers` (Canonical's Serial
/// Vault does the same); or only the serials the brand allows, proposed by the device.
public struct VaultPolicy: Sendable, Equatable {
    public enum Mode: String, Sendable, Codable, CaseIterable {
        case open
        case apiKey = "api-key"
        case serials
    }

    public let brandID: String
    public let mode: Mode
    /// SHA3-384 of the API key (hex), for `.apiKey`: the key itself is shown once, when made.
    public let apiKeyHash: String?
    /// Patterns a proposed serial must match, for `.serials`: `*` stands for any run of
    /// characters, `?` for one.
    public let serialPatterns: [String]

    public init(brandID: String, mode: Mode, apiKeyHash: String? = nil, serialPatterns: [String] = []) {
        self.brandID = brandID
        self.mode = mode
        self.apiKeyHash = apiKeyHash
        self.serialPatterns = serialPatterns
    }

    /// The policy of a brand that set none: a workshop's.
    public static func open(_ brandID: String) -> VaultPolicy {
        VaultPolicy(brandID: brandID, mode: .open)
    }

    /// The HTTP header that carries the API key, as snapd sends a gadget's `device-service.headers`.
    public static let apiKeyHeader = "api-key"

    /// One line for people: what this vault signs for.
    public var summary: String {
        switch mode {
        case .open: "open: any device of a model the store holds"
        case .apiKey: "api-key: devices that present the brand's key in the \(Self.apiKeyHeader) header"
        case .serials: "serials: devices proposing a serial matching \(serialPatterns.joined(separator: ", "))"
        }
    }

    /// Refuses a serial request this policy does not allow; nil when it may go on.
    func refusal(apiKey: String?, proposedSerial: String) -> String? {
        switch mode {
        case .open:
            return nil
        case .apiKey:
            guard let apiKey, SnapStore.hash(apiKey) == apiKeyHash else {
                return "the serial vault of \(brandID) signs only for devices that present its API key "
                    + "(the gadget's device-service.headers {\"\(Self.apiKeyHeader)\": …})"
            }
            return nil
        case .serials:
            guard !proposedSerial.isEmpty else {
                return "the serial vault of \(brandID) signs only serials the brand allows, and the device "
                    + "proposed none (the gadget's registration.proposed-serial)"
            }
            guard serialPatterns.contains(where: { Self.glob($0, matches: proposedSerial) }) else {
                return
                    "serial \(proposedSerial) is not one \(brandID) allows (\(serialPatterns.joined(separator: ", ")))"
            }
            return nil
        }
    }

    /// Shell-style matching of `*` and `?`, nothing else, over characters.
    static func glob(_ pattern: String, matches text: String) -> Bool {
        let pattern = Array(pattern)
        let text = Array(text)
        var p = 0
        var t = 0
        var star: Int?
        var resume = 0
        while t < text.count {
            if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
                p += 1
                t += 1
            } else if p < pattern.count, pattern[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
