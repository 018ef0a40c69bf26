/// The older catalogue endpoints snapd still calls (`store/store.go`): `api/v1/snaps/names`, read
/// as a stream that must open with `{"_embedded": {"clickindex:package": [`, and sections.
public struct CatalogNames: Codable, Sendable, Equatable {
    /// `catalogItem`.
    public struct Item: Codable, Sendable, Equatable {
        public struct Alias: Codable, Sendable, Equatable {
            public var name: String
        }

        public var packageName: String
        public var version: String
        public var summary: String
        public var aliases: [Alias]
        public var apps: [String]

        public init(packageName: String, version: String, summary: String) {
            self.packageName = packageName
            self.version = version
            self.summary = summary
            self.aliases = []
            self.apps = []
        }

        enum CodingKeys: String, CodingKey {
            case packageName = "package_name"
            case version, summary, aliases, apps
        }
    }

    public struct Embedded: Codable, Sendable, Equatable {
        public var packages: [Item]

        enum CodingKeys: String, CodingKey {
            case packages = "clickindex:package"
        }
    }

    public var embedded: Embedded

    public init(_ packages: [Item]) {
        self.embedded = Embedded(packages: packages)
    }

    enum CodingKeys: String, CodingKey {
        case embedded = "_embedded"
    }
}

/// `sectionResults`.
public struct CatalogSections: Codable, Sendable, Equatable {
    public struct Section: Codable, Sendable, Equatable {
        public var name: String
    }

    public struct Embedded: Codable, Sendable, Equatable {
        public var sections: [Section]

        enum CodingKeys: String, CodingKey {
            case sections = "clickindex:sections"
        }
    }

    public var embedded: Embedded

    public init(_ names: [String]) {
        self.embedded = Embedded(sections: names.map(Section.init(name:)))
    }

    enum CodingKeys: String, CodingKey {
        case embedded = "_embedded"
    }
}
