import Assertions

/// What the store answers for one action of a snap-action request.
public enum SnapActionResult: Sendable {
    /// A revision to download, install or refresh to.
    case snap(
        kind: String, instanceKey: String, dossier: SnapDossier, revision: RevisionRecord, effectiveChannel: String,
        redirectChannel: String?)
    case error(instanceKey: String, name: String, snapID: String, code: String, message: String, releases: [Release])
    /// Assertions to fetch (as assertion-service paths) and those that are not here.
    case assertions(key: String, paths: [String], missing: [MissingAssertion])

    public struct Release: Sendable {
        public let channel: String
        public let architecture: String
    }

    public struct MissingAssertion: Sendable {
        public let type: String
        public let primaryKey: [String]?
        public let sequenceKey: [String]?
    }
}
