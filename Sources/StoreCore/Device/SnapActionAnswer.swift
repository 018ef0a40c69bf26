import StoreProtocol

/// One result of a snap action as the store decided it, before it is written out.
///
/// Most results are a revision of a snap, and everything such a result holds (the snap's whole
/// description among it) follows from the few fields of a `RevisionAnswer`. A caller that keeps
/// encodings finds them by the answer, without building the result or hashing the description:
/// a fleet asks about the same revisions again and again (docs/performance.md).
public enum SnapActionAnswer: Sendable {
    case revision(RevisionAnswer)
    /// An error for the action, or the assertions a `fetch-assertions` action asked for.
    case result(SnapActionResult)

    public var result: SnapActionResult {
        switch self {
        case .revision(let answer): answer.result
        case .result(let result): result
        }
    }
}

/// A revision for an install, download or refresh action. Equal answers give equal results: the
/// dossier compares by identity (one reading of the snap, which catalogues keep until it changes),
/// and the rest of what the result holds is here.
public struct RevisionAnswer: Hashable, Sendable {
    public let kind: SnapActionResult.Kind
    public let instanceKey: String
    public let dossier: SnapDossier
    public let revision: RevisionRecord
    public let effectiveChannel: String
    public let redirectChannel: String?
    /// Where the device reached the store: download URLs start with it.
    public let baseURL: String
    public let delta: StoreSnap.Delta?

    public var result: SnapActionResult {
        var snap = StoreSnap(dossier, revision: revision, baseURL: baseURL)
        if let delta { snap.download.deltas = [delta] }
        return .snap(
            kind, instanceKey: instanceKey, snap: snap, effectiveChannel: effectiveChannel,
            redirectChannel: redirectChannel)
    }

    public static func == (left: RevisionAnswer, right: RevisionAnswer) -> Bool {
        left.dossier === right.dossier && left.revision.revision == right.revision.revision
            && left.kind == right.kind && left.instanceKey == right.instanceKey
            && left.effectiveChannel == right.effectiveChannel && left.redirectChannel == right.redirectChannel
            && left.baseURL == right.baseURL && left.delta == right.delta
    }

    /// Everything `==` compares: the base URL (from the Host header) and the instance key come from
    /// the client, and answers differing only in those must not share a hash, or a client could
    /// line up the kept encodings' entries behind one another.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(dossier))
        hasher.combine(revision.revision)
        hasher.combine(kind)
        hasher.combine(instanceKey)
        hasher.combine(effectiveChannel)
        hasher.combine(redirectChannel)
        hasher.combine(baseURL)
        hasher.combine(delta)
    }
}
