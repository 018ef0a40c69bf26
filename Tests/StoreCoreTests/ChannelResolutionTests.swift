import StoreCore
import StoreProtocol
import Testing

@Suite struct ChannelParsingTests {
    @Test(
        arguments: [
            ("edge", nil, Risk.edge, ""), ("stable", nil, .stable, ""), ("latest/stable", "latest", .stable, ""),
            ("2.0", "2.0", .stable, ""), ("2.0/candidate", "2.0", .candidate, ""),
            ("2.0/candidate/fix-1", "2.0", .candidate, "fix-1"), ("beta/hotfix", nil, .beta, "hotfix"),
            ("Z9._-/edge/a.B_0-", "Z9._-", .edge, "a.B_0-"),
            (String(repeating: "t", count: 128) + "/stable", String(repeating: "t", count: 128), .stable, ""),
        ] as [(String, String?, Risk, String)])
    func parsesChannelsAsUsersTypeThem(text: String, track: String?, risk: Risk, branch: String) throws {
        let request = try ChannelRequest.parse(text)
        #expect(request.track == track)
        #expect(request.risk == risk)
        #expect(request.branch == branch)
    }

    @Test(arguments: [
        "", "a/b/c/d", "latest/unstable", "latest/stable/", "/stable", "la test", "-2.0/stable", "stable/fix!",
        "lätest/stable", "stable/f\u{0301}ix", String(repeating: "t", count: 129) + "/stable",
    ])
    func refusesMalformedChannels(text: String) {
        #expect(throws: ChannelError.self) { _ = try ChannelRequest.parse(text) }
    }

    @Test func fullNames() {
        #expect(Channel(risk: .edge).name == "latest/edge")
        #expect(Channel(track: "2.0", risk: .beta, branch: "fix").name == "2.0/beta/fix")
        #expect(Risk.edge.fallbacks == [.edge, .beta, .candidate, .stable])
        #expect(Risk.stable.fallbacks == [.stable])
    }
}

/// Resolution as the real store behaves, one scenario a row.
@Suite struct ChannelResolutionTests {
    static let now: Int64 = 1_800_000_000

    private func map(_ setup: (inout ChannelMap) throws -> Void) rethrows -> ChannelMap {
        var map = ChannelMap(tracks: ["latest", "2.0"])
        try setup(&map)
        return map
    }

    private func resolve(_ map: ChannelMap, _ text: String, arch: String = "amd64", bucket: Double? = nil) throws
        -> (Int, String, String?)?
    {
        guard let result = map.resolve(try ChannelRequest.parse(text), architecture: arch, bucket: bucket, at: Self.now)
        else { return nil }
        return (result.revision, result.effectiveChannel.name, result.redirectChannel?.name)
    }

    @Test func emptyRisksFollowTheNextSaferOne() throws {
        let map = try map {
            try $0.release(revision: 1, architectures: ["amd64"], into: Channel(risk: .stable), at: Self.now)
            try $0.release(revision: 3, architectures: ["amd64"], into: Channel(risk: .beta), at: Self.now)
        }
        #expect(try resolve(map, "stable")?.0 == 1)
        #expect(try resolve(map, "candidate")?.0 == 1)
        #expect(try resolve(map, "candidate")?.1 == "latest/stable")
        #expect(try resolve(map, "beta")?.0 == 3)
        #expect(try resolve(map, "edge")?.0 == 3)
        #expect(try resolve(map, "edge")?.1 == "latest/beta")
        #expect(try resolve(map, "2.0/edge") == nil)
    }

    @Test func closingAChannelMakesItFollow() throws {
        var map = try map {
            try $0.release(revision: 1, architectures: ["amd64"], into: Channel(risk: .stable), at: Self.now)
            try $0.release(revision: 2, architectures: ["amd64"], into: Channel(risk: .edge), at: Self.now)
        }
        #expect(try resolve(map, "edge")?.0 == 2)
        map.close(Channel(risk: .edge))
        #expect(try resolve(map, "edge")?.0 == 1)
        map.close(Channel(risk: .stable))
        #expect(try resolve(map, "edge") == nil)
        #expect(map.status(track: "latest", risk: .edge, architecture: "amd64", at: Self.now) == .closed)
    }

    @Test func architecturesAndAll() throws {
        let map = try map {
            try $0.release(revision: 5, architectures: ["all"], into: Channel(risk: .stable), at: Self.now)
            try $0.release(revision: 6, architectures: ["arm64"], into: Channel(risk: .stable), at: Self.now)
        }
        #expect(try resolve(map, "stable", arch: "amd64")?.0 == 5)
        // The arm64 revision wins on arm64; the `all` one keeps serving the rest.
        #expect(try resolve(map, "stable", arch: "arm64")?.0 == 6)
        #expect(try resolve(map, "stable", arch: "armhf")?.0 == 5)
        let both = try self.map {
            try $0.release(revision: 7, architectures: ["amd64", "arm64"], into: Channel(risk: .edge), at: Self.now)
        }
        #expect(try resolve(both, "edge", arch: "arm64")?.0 == 7)
        #expect(try resolve(both, "edge", arch: "armhf") == nil)
    }

    @Test func tracksAndTheDefaultTrack() throws {
        var map = try map {
            try $0.release(revision: 1, architectures: ["amd64"], into: Channel(risk: .stable), at: Self.now)
            try $0.release(
                revision: 9, architectures: ["amd64"], into: Channel(track: "2.0", risk: .stable), at: Self.now)
        }
        #expect(try resolve(map, "stable")?.0 == 1)
        map.defaultTrack = "2.0"
        #expect(try resolve(map, "stable")?.0 == 9)
        #expect(try resolve(map, "stable")?.2 == "2.0/stable")
        #expect(try resolve(map, "latest/stable")?.0 == 1)
        #expect(try resolve(map, "latest/stable")?.2 == nil)
        #expect(throws: ChannelError.self) {
            try map.release(
                revision: 1, architectures: ["amd64"], into: Channel(track: "3.0", risk: .stable), at: Self.now)
        }
    }

    @Test func branchesDoNotFollowAndExpire() throws {
        let map = try map {
            try $0.release(revision: 1, architectures: ["amd64"], into: Channel(risk: .stable), at: Self.now)
            try $0.release(
                revision: 4, architectures: ["amd64"], into: Channel(risk: .stable, branch: "fix-1"),
                at: Self.now - ChannelMap.branchLifetime + 10)
        }
        #expect(try resolve(map, "stable/fix-1")?.0 == 4)
        #expect(try resolve(map, "latest/stable/fix-1")?.1 == "latest/stable/fix-1")
        #expect(try resolve(map, "candidate/fix-1") == nil)
        let later = map.resolve(
            try ChannelRequest.parse("stable/fix-1"), architecture: "amd64", bucket: nil, at: Self.now + 11)
        #expect(later == nil)
    }

    @Test func progressiveReleasesReachOnlyTheirShare() throws {
        var map = try map {
            try $0.release(revision: 41, architectures: ["amd64"], into: Channel(risk: .stable), at: Self.now)
            try $0.release(
                revision: 42, architectures: ["amd64"], into: Channel(risk: .stable), progressive: 10, at: Self.now)
        }
        #expect(try resolve(map, "stable", bucket: 5)?.0 == 42)
        #expect(try resolve(map, "stable", bucket: 10)?.0 == 41)
        #expect(try resolve(map, "stable", bucket: nil)?.0 == 41)
        #expect(
            map.status(track: "latest", risk: .stable, architecture: "amd64", at: Self.now)
                == .released(revision: 41, progressive: (42, 10, false)))
        try map.setProgressive(Channel(risk: .stable), percentage: nil, paused: true)
        #expect(try resolve(map, "stable", bucket: 5)?.0 == 41)
        try map.setProgressive(Channel(risk: .stable), percentage: 50, paused: false)
        #expect(try resolve(map, "stable", bucket: 49.9)?.0 == 42)
        try map.setProgressive(Channel(risk: .stable), percentage: 100, paused: nil)
        #expect(try resolve(map, "stable", bucket: nil)?.0 == 42)
        #expect(map.releases.count == 1)
        #expect(throws: ChannelError.self) {
            try map.setProgressive(Channel(risk: .stable), percentage: 20, paused: nil)
        }
    }

    /// A release targeted at a group, with a share: only the group's devices inside the share get
    /// it; a halt stops it for every device; a second steered rollout in the channel is refused.
    @Test func targetedReleasesReachTheirGroupWithinTheirShare() throws {
        var map = try map {
            try $0.release(revision: 41, architectures: ["amd64"], into: Channel(risk: .stable), at: Self.now)
            try $0.release(
                revision: 42, architectures: ["amd64"], into: Channel(risk: .stable), progressive: 50, group: "canary",
                at: Self.now)
        }
        func revision(_ bucket: Double, _ groups: Set<String>) throws -> Int? {
            map.resolve(
                try ChannelRequest.parse("stable"), architecture: "amd64", bucket: bucket, groups: groups, at: Self.now)?
                .revision
        }
        #expect(try revision(10, ["canary"]) == 42)
        #expect(try revision(60, ["canary"]) == 41, "outside the share")
        #expect(try revision(10, ["lab"]) == 41, "outside the group")
        #expect(try revision(10, []) == 41)
        #expect(map.hasTargetedReleases)
        #expect(throws: ChannelError.self) {
            try map.release(
                revision: 43, architectures: ["amd64"], into: Channel(risk: .stable), group: "canary", at: Self.now)
        }
        map.halt(Channel(risk: .stable), revision: 42, .init(reason: "test", failures: 1, attempts: 1, at: Self.now))
        #expect(try revision(10, ["canary"]) == 41, "halted")
        try map.resume(Channel(risk: .stable), eventsAfter: 7)
        #expect(try revision(10, ["canary"]) == 42 && map.rollouts.first?.progressive.eventsAfter == 7)
        try map.abort(Channel(risk: .stable))
        #expect(try revision(10, ["canary"]) == 41 && map.rollouts.isEmpty)
    }

    @Test func aHealthGateTripsAtItsThresholdAfterItsMinimumAttempts() {
        let share = ChannelRelease.HealthGate(failurePercent: 5, minimumAttempts: 20)
        #expect(!share.trips(failures: 3, attempts: 19), "not before the minimum")
        #expect(!share.trips(failures: 0, attempts: 100))
        #expect(!share.trips(failures: 4, attempts: 100))
        #expect(share.trips(failures: 5, attempts: 100))
        let count = ChannelRelease.HealthGate(failureCount: 2, minimumAttempts: 1)
        #expect(!count.trips(failures: 1, attempts: 50) && count.trips(failures: 2, attempts: 2))
    }

    @Test func statusShowsFollowingChannels() throws {
        let map = try map {
            try $0.release(revision: 1, architectures: ["amd64"], into: Channel(risk: .candidate), at: Self.now)
        }
        #expect(map.status(track: "latest", risk: .stable, architecture: "amd64", at: Self.now) == .closed)
        #expect(
            map.status(track: "latest", risk: .candidate, architecture: "amd64", at: Self.now)
                == .released(revision: 1, progressive: nil))
        #expect(map.status(track: "latest", risk: .edge, architecture: "amd64", at: Self.now) == .following)
    }
}
