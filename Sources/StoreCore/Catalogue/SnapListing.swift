/// What a publisher may keep about a name besides its revisions (snapcraft `upload-metadata`).
public struct SnapListing: Sendable, Codable, Equatable {
    public var title: String?
    public var summary: String?
    public var description: String?
    public var license: String?

    public init(title: String? = nil, summary: String? = nil, description: String? = nil, license: String? = nil) {
        self.title = title
        self.summary = summary
        self.description = description
        self.license = license
    }
}
