import StoreProtocol
import Testing

@testable import StoreCore

/// A snapcraft login's limits as its caveats carry them, and the vault's serial patterns.
@Suite struct LoginLimitsTests {
    @Test func aLoginRequestNamingAPermissionTheStoreDoesNotGrantIsRefused() throws {
        #expect(throws: StoreError.self) {
            try LoginLimits(permissionNames: ["package_access", "package_admin"], packages: nil, channels: nil)
        }
        #expect(throws: StoreError.self) {
            try LoginLimits(permissionNames: nil, packages: nil, channels: ["latest/nightly"])
        }
        let dashed = try LoginLimits(permissionNames: ["package-push"], packages: nil, channels: nil)
        #expect(dashed.permissions == [.push])
        #expect(try LoginLimits(permissionNames: [], packages: [], channels: []).isUnlimited)
    }

    @Test func caveatsRoundTripAndOnlyNarrow() throws {
        let limits = try LoginLimits(
            permissionNames: ["package_access", "package_release"], packages: ["hello", "world"], channels: ["edge"])
        var read = LoginLimits.unlimited
        for caveat in limits.caveats {
            let known = read.narrow(by: caveat)
            #expect(known)
        }
        #expect(read == limits)
        // A second caveat of a kind can take away, never add.
        let narrowedPackages = read.narrow(by: "snapdepot-packages hello,other")
        #expect(narrowedPackages && read.packages == ["hello"])
        let narrowedPermissions = read.narrow(by: "snapdepot-permissions package_push")
        #expect(narrowedPermissions && read.permissions == [])
        #expect(throws: StoreError.self) { try read.require(.access) }
        let unknown = read.narrow(by: "account = acme")
        #expect(!unknown)
    }

    @Test func permissionsPackagesAndChannelsAreEnforced() throws {
        let limits = try LoginLimits(
            permissionNames: ["package_push"], packages: ["hello"], channels: ["edge", "2.0/stable"])
        try limits.require(.push)
        try limits.require(.access)  // reading comes with any permission over the snap
        #expect(throws: StoreError.self) { try limits.require(.release) }
        try limits.require(package: "hello")
        #expect(throws: StoreError.self) { try limits.require(package: "other") }
        try limits.require(channel: Channel(track: "latest", risk: .edge), defaultTrack: "latest")
        try limits.require(channel: Channel(track: "latest", risk: .edge, branch: "fix-1"), defaultTrack: "latest")
        try limits.require(channel: Channel(track: "2.0", risk: .stable), defaultTrack: "latest")
        #expect(throws: StoreError.self) {
            try limits.require(channel: Channel(track: "latest", risk: .stable), defaultTrack: "latest")
        }
        // `edge` means the snap's default track: with 2.0 as default, latest/edge is not it.
        #expect(throws: StoreError.self) {
            try limits.require(channel: Channel(track: "latest", risk: .edge), defaultTrack: "2.0")
        }
        try LoginLimits.unlimited.require(.manage)
    }

    @Test func serialPatternsMatchLikeAShell() {
        #expect(VaultPolicy.glob("LINE1-*", matches: "LINE1-0001"))
        #expect(VaultPolicy.glob("LINE1-*", matches: "LINE1-"))
        #expect(!VaultPolicy.glob("LINE1-*", matches: "LINE2-0001"))
        #expect(VaultPolicy.glob("QA-????", matches: "QA-1234"))
        #expect(!VaultPolicy.glob("QA-????", matches: "QA-12345"))
        #expect(VaultPolicy.glob("*-*-x", matches: "a-b-c-x"))
        #expect(!VaultPolicy.glob("*-*-x", matches: "abc-x"))
        #expect(VaultPolicy.glob("*", matches: ""))
        let policy = VaultPolicy(brandID: "acme", mode: .serials, serialPatterns: ["LINE1-*"])
        #expect(policy.refusal(apiKey: nil, proposedSerial: "LINE1-7") == nil)
        #expect(policy.refusal(apiKey: nil, proposedSerial: "") != nil)
        let keyed = VaultPolicy(brandID: "acme", mode: .apiKey, apiKeyHash: SnapStore.hash("sdv_key"))
        #expect(keyed.refusal(apiKey: "sdv_key", proposedSerial: "") == nil)
        #expect(keyed.refusal(apiKey: "sdv_other", proposedSerial: "") != nil)
        #expect(keyed.refusal(apiKey: nil, proposedSerial: "") != nil)
    }
}
