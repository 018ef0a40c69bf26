/// A named set of one brand's devices that a release can target (`release --to NAME`): those of a
/// model, those with a tag, or a list of serials; every selector given must match.
public struct DeviceGroup: Sendable, Codable, Equatable {
    public let name: String
    public let brandID: String
    public let model: String?
    public let tag: String?
    public let serials: [String]?

    public init(name: String, brandID: String, model: String? = nil, tag: String? = nil, serials: [String]? = nil) {
        self.name = name
        self.brandID = brandID
        self.model = model
        self.tag = tag
        self.serials = serials
    }

    public func contains(_ device: DeviceRecord) -> Bool {
        device.brandID == brandID && (model.map { $0 == device.model } ?? true)
            && (tag.map { device.tags.contains($0) } ?? true)
            && (serials.map { $0.contains(device.serial) } ?? true)
    }

    /// Tag and group names: what a channel or track name may be (lower case, digits, `-`).
    static func isValidName(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 64 && text.first?.isLetter == true
            && text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }
    }
}
