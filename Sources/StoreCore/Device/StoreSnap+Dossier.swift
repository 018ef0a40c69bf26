import SnapFiles
import StoreProtocol

extension StoreSnap {
    /// A revision of a snap as the device API shows it; downloads start at `baseURL`.
    public init(_ dossier: SnapDossier, revision: RevisionRecord, baseURL: String) {
        let snap = dossier.snap
        let listing = dossier.listing
        self.init(
            name: snap.name, snapID: snap.snapID, revision: revision.revision, version: revision.version,
            type: revision.type, base: revision.base.isEmpty ? nil : revision.base, confinement: revision.confinement,
            epoch: revision.epoch, architectures: revision.architectures,
            download: .init(
                sha3_384: revision.sha3_384, size: revision.size,
                url: "\(baseURL)/api/v1/snaps/download/\(snap.snapID)_\(revision.revision).snap"),
            publisher: SnapPublisher(dossier.publisher, id: snap.publisherID),
            summary: listing.summary ?? "", description: listing.description ?? "",
            title: listing.title ?? snap.name, license: listing.license ?? "", isPrivate: snap.isPrivate,
            createdAt: WireTime.string(revision.createdAt), snapYAML: revision.snapYAML)
    }
}

extension SnapPublisher {
    /// The publisher as the store shows it; an account the catalogue no longer has shows its id.
    public init(_ account: StoreAccount?, id: String) {
        self.init(
            id: id, username: account?.username ?? id, displayName: account?.displayName ?? id,
            validation: account?.validation ?? "unproven")
    }
}
