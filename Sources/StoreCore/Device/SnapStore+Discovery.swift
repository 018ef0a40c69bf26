import Assertions
import Foundation
import StoreProtocol

extension SnapStore {
    /// `GET /v2/snaps/info/NAME` (`store/details_v2.go`): the snap and one entry per open channel
    /// and architecture (only `wanted` and `all` when it is given); progressive and expired
    /// releases are not shown.
    public func snapInfo(named name: String, architecture wanted: String?, device: DeviceIdentity, baseURL: String)
        async throws -> SnapInfo
    {
        guard let dossier = try await visibleSnap(named: name, device: device) else {
            throw StoreError(.notFound, "No snap named '\(name)' found", code: "snap-not-found")
        }
        let snap = dossier.snap
        let now = clock().seconds
        var channelMap: [SnapInfo.ChannelSnap] = []
        for release in dossier.channelMap.releases
        where release.progressive == nil && (release.expiresAt ?? .max) > now {
            guard let revision = dossier.revision(release.revision),
                wanted == nil || release.architecture == wanted || release.architecture == "all"
            else { continue }
            let architecture = release.architecture == "all" ? (wanted ?? device.architecture) : release.architecture
            channelMap.append(
                .init(
                    snap: StoreSnap(dossier, revision: revision, baseURL: baseURL),
                    channel: .init(
                        architecture: architecture, channel: release.channel,
                        releasedAt: WireTime.string(release.releasedAt))))
        }
        guard !channelMap.isEmpty else {
            throw StoreError(.notFound, "\(name) has no open channels", code: "snap-not-found")
        }
        let listing = dossier.listing
        return SnapInfo(
            name: snap.name, snapID: snap.snapID, channelMap: channelMap,
            snap: .init(
                name: snap.name, snapID: snap.snapID, summary: listing.summary ?? "",
                description: listing.description ?? "", title: listing.title ?? snap.name,
                license: listing.license ?? "", publisher: SnapPublisher(dossier.publisher, id: snap.publisherID)))
    }

    /// `GET /v2/snaps/find`: the snaps this device may see whose name matches `name` (a trailing
    /// `*` matches a prefix) and whose name or listing holds every word of `query`, each with its
    /// latest/stable revision for the device's architecture.
    public func search(query: String?, name: String?, device: DeviceIdentity, baseURL: String) async throws
        -> [SearchResult]
    {
        let words = (query ?? "").lowercased().split(separator: " ")
        let candidates = try await catalogue.allSnaps().filter { snap in
            guard Self.visible(snap, to: device) else { return false }
            guard let name else { return true }
            return name.hasSuffix("*") ? snap.name.hasPrefix(String(name.dropLast())) : snap.name == name
        }
        let dossiers = try await catalogue.dossiers(snapIDs: candidates.map(\.snapID))
        let now = clock().seconds
        var results: [SearchResult] = []
        for snap in candidates {
            guard let dossier = dossiers[snap.snapID] else { continue }
            let listing = dossier.listing
            if !words.isEmpty {
                let haystack = [snap.name, listing.title ?? "", listing.summary ?? "", listing.description ?? ""]
                    .joined(separator: " ").lowercased()
                guard words.allSatisfy({ haystack.contains($0) }) else { continue }
            }
            guard
                let resolved = dossier.channelMap.resolve(
                    ChannelRequest(track: nil, risk: .stable), architecture: device.architecture, bucket: nil, at: now),
                let revision = dossier.revision(resolved.revision)
            else { continue }
            results.append(SearchResult(snap: StoreSnap(dossier, revision: revision, baseURL: baseURL)))
        }
        return results
    }

    /// `POST /v2/cohorts`: a cohort key for each named snap the device may see.
    public func cohortKeys(for names: [String], device: DeviceIdentity) async throws -> [String: String] {
        var keys: [String: String] = [:]
        for name in names {
            guard let dossier = try await visibleSnap(named: name, device: device) else { continue }
            keys[name] = Cohort.mint(snapID: dossier.snap.snapID, at: clock().seconds, secret: macaroonKey)
        }
        guard !keys.isEmpty else { throw StoreError(.notFound, "none of these snaps exist", code: "snap-not-found") }
        return keys
    }

    /// A revision's file as a device may download it: the brand-store and private-snap rules apply
    /// to downloads by snap-id as to every other device request, and a revision never released is
    /// its publisher's alone. A device with a session that fetches
    /// the file (`recording`) has it noted, so a later report tells whether the update took.
    public func download(snapID: String, revision: Int, device: DeviceIdentity, recording: Bool) async throws
        -> RevisionRecord?
    {
        guard let dossier = try await visibleSnap(id: snapID, device: device),
            let record = dossier.revision(revision),
            try await servable(revision, of: dossier, to: device)
        else { return nil }
        if recording, let serialKey = device.serialKey {
            try await catalogue.recordDownload(
                serialKey: serialKey, snapID: snapID, revision: revision, at: clock().seconds)
        }
        return record
    }

    /// A brand's repair with what verifies it: the account-key that signed it and the brand's
    /// account. nil when there is none.
    public func repair(brandID: String, repairID: Int) async throws -> (Assertion, [Assertion])? {
        guard let repair = try await catalogue.assertion(AssertionReference(.repair, [brandID, String(repairID)]))
        else { return nil }
        var chain: [Assertion] = []
        if let key = try await catalogue.assertion(AssertionReference(.accountKey, [repair.signKeyID])) {
            chain.append(key)
        }
        if let account = try await catalogue.assertion(AssertionReference(.account, [brandID])) {
            chain.append(account)
        }
        return (repair, chain)
    }

    /// One assertion of the assertion service by type and full primary key.
    public func assertion(_ reference: AssertionReference) async throws -> Assertion? {
        try await catalogue.assertion(reference)
    }
}
