import Foundation
import SnapFiles
import StoreProtocol

extension SnapStore {
    /// A delta is announced only when it is at most this share of the whole snap: past it, what a
    /// device saves in bytes no longer pays for applying it.
    public static let deltaWorthwhile = 0.75
    /// The longest one delta may take to make.
    static let deltaTimeout: Duration = .seconds(600)

    /// The delta a device refreshing from `source` gets with `target`, when it said it applies
    /// `format` (`Snap-Accept-Delta-Format`, `store/store_action.go`) and one worth sending is
    /// made; when none is made yet, it is queued and the device downloads the whole snap this time.
    func announcedDelta(
        _ dossier: SnapDossier, from source: Int, to target: Int, format: String?, baseURL: String
    ) -> StoreSnap.Delta? {
        guard makesDeltas, format == XDelta3.format, source != target,
            dossier.revision(source) != nil
        else { return nil }
        guard let made = dossier.delta(from: source, to: target, format: XDelta3.format) else {
            queueDelta(snapID: dossier.snap.snapID, from: source, to: target)
            return nil
        }
        guard let digest = made.sha3_384 else { return nil }
        return StoreSnap.Delta(
            format: made.format, sha3_384: digest, size: made.size, source: source, target: target,
            url: "\(baseURL)/api/v1/snaps/download/\(Self.deltaFile(snapID: dossier.snap.snapID, source, target))")
    }

    /// The name a delta is downloaded by: `SNAPID_SOURCE_TARGET.xdelta3`, beside `SNAPID_REV.snap`.
    static func deltaFile(snapID: String, _ source: Int, _ target: Int) -> String {
        "\(snapID)_\(source)_\(target).\(XDelta3.format)"
    }

    /// Queues the delta between two revisions, unless one is made or waiting.
    func queueDelta(snapID: String, from source: Int, to target: Int) {
        guard makesDeltas else { return }
        deltaQueue.add(.init(snapID: snapID, source: source, target: target)) { [self] pair in
            _ = try await makeDelta(snapID: pair.snapID, from: pair.source, to: pair.target)
        }
    }

    /// After a release of `target` into channels that held `previous` revisions: their deltas to it,
    /// made before the devices holding them ask.
    func queueDeltas(snapID: String, from previous: some Sequence<Int>, to target: Int) {
        for source in Set(previous) where source != target {
            queueDelta(snapID: snapID, from: source, to: target)
        }
    }

    /// Makes the delta from `source` to `target` with xdelta3 and records it: its blob kept by
    /// content address when it is worth sending, only its size otherwise.
    func makeDelta(snapID: String, from source: Int, to target: Int) async throws -> DeltaRecord {
        guard makesDeltas else {
            throw StoreError(
                .unavailable, "this store makes no deltas: xdelta3 (Debian's package) is not installed")
        }
        guard let old = try await catalogue.revision(snapID: snapID, revision: source),
            let new = try await catalogue.revision(snapID: snapID, revision: target)
        else {
            throw StoreError(.notFound, "no revisions \(source) and \(target) of snap \(snapID) to make a delta of")
        }
        guard source != target else { throw StoreError(.invalid, "a delta goes from one revision to another") }
        let output = blobs.scratchPath("delta-\(UUID().uuidString).\(XDelta3.format)")
        defer { try? FileManager.default.removeItem(atPath: output) }
        do {
            try await XDelta3.encode(
                source: blobs.path(forDigest: old.sha3_384), target: blobs.path(forDigest: new.sha3_384),
                output: output, timeout: Self.deltaTimeout)
        } catch {
            throw StoreError(.internalError, "cannot make the delta from \(source) to \(target): \(error)")
        }
        let size = try FileManager.default.attributesOfItem(atPath: output)[.size] as? UInt64 ?? 0
        var digest: String?
        if Double(size) <= Double(new.size) * Self.deltaWorthwhile {
            let blob = try blobs.ingest(fileAt: output, limit: .max)
            try blobs.commit(blob)
            digest = blob.hex
        }
        let record = DeltaRecord(
            snapID: snapID, source: source, target: target, format: XDelta3.format, sha3_384: digest, size: size,
            createdAt: clock().seconds)
        try await catalogue.addDelta(record)
        return record
    }

    /// A delta as its snap's publisher or the admin sees it: made (and announced or not), or why
    /// making it failed.
    public struct DeltaView: Sendable, Codable, Equatable {
        public let source: Int
        public let target: Int
        public let format: String
        public let size: UInt64
        /// The whole target snap's size, to compare.
        public let targetSize: UInt64
        public let sha3_384: String?
        public let announced: Bool
    }

    /// Every delta of a snap, newest target first.
    public func deltas(name: String, store: String? = nil, by principal: Principal) async throws -> [DeltaView] {
        let snap = try await self.snap(named: name, store: store)
        try requirePublisher(snap, principal, .access)
        let sizes = Dictionary(
            try await catalogue.revisions(snapID: snap.snapID).map { ($0.revision, $0.size) },
            uniquingKeysWith: { first, _ in first })
        return try await catalogue.deltas(snapID: snap.snapID).reversed().map {
            DeltaView(
                source: $0.source, target: $0.target, format: $0.format, size: $0.size,
                targetSize: sizes[$0.target] ?? 0, sha3_384: $0.sha3_384, announced: $0.sha3_384 != nil)
        }
    }

    /// Makes a delta now, whatever was made or failed before: a pipeline that wants deltas ready
    /// before its devices ask, or a retry.
    public func makeDelta(name: String, store: String? = nil, from source: Int, to target: Int, by principal: Principal)
        async throws -> DeltaView
    {
        let snap = try await self.snap(named: name, store: store)
        try requirePublisher(snap, principal, .release)
        deltaQueue.forgetFailure(.init(snapID: snap.snapID, source: source, target: target))
        let made = try await makeDelta(snapID: snap.snapID, from: source, to: target)
        let size = try await catalogue.revision(snapID: snap.snapID, revision: target)?.size ?? 0
        return DeltaView(
            source: source, target: target, format: made.format, size: made.size, targetSize: size,
            sha3_384: made.sha3_384, announced: made.sha3_384 != nil)
    }

    /// A delta's file as a device may download it: under the rules of its target revision's file
    /// (`download(snapID:revision:device:recording:)`), which it stands for.
    public func deltaDownload(snapID: String, from source: Int, to target: Int, device: DeviceIdentity, recording: Bool)
        async throws -> DeltaRecord?
    {
        guard try await download(snapID: snapID, revision: target, device: device, recording: recording) != nil,
            let delta = try await catalogue.dossier(snapID: snapID)?.delta(
                from: source, to: target, format: XDelta3.format),
            delta.sha3_384 != nil
        else { return nil }
        return delta
    }
}
