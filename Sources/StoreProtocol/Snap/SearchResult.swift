/// One result of `GET /v2/snaps/find` (`store/search_v2.go` `storeSearchResult`).
public struct SearchResult: Codable, Sendable, Equatable {
    public var name: String
    public var snapID: String
    public var snap: StoreSnap

    public init(snap: StoreSnap) {
        self.name = snap.name
        self.snapID = snap.snapID
        self.snap = snap
    }

    enum CodingKeys: String, CodingKey {
        case name
        case snapID = "snap-id"
        case snap
    }
}

/// The answer to `GET /v2/snaps/find`.
public struct SearchResponse: Codable, Sendable, Equatable {
    public var results: [SearchResult]

    public init(results: [SearchResult]) {
        self.results = results
    }
}
