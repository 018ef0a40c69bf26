import Foundation
import Testing

@testable import StoreCore

/// Cohort keys are the store's own: read back for their snap, refused when made up, changed, or
/// given for another snap; two keys are two places in the rollout order.
@Suite struct CohortTests {
    let secret = Array("a data folder's persistent secret".utf8)

    @Test func aKeyIsReadBackForItsSnapOnly() throws {
        let key = Cohort.mint(snapID: "snap-a", at: 1_700_000_000, secret: secret)
        let cohort = try #require(Cohort.read(key, snapID: "snap-a", secret: secret))
        #expect(Cohort.read(key, snapID: "snap-b", secret: secret) == nil)
        #expect(Cohort.read(key, snapID: "snap-a", secret: Array("another store".utf8)) == nil)
        let other = try #require(
            Cohort.read(
                Cohort.mint(snapID: "snap-a", at: 1_700_000_000, secret: secret), snapID: "snap-a", secret: secret))
        #expect(cohort != other && cohort.rolloutBucket == cohort.rolloutBucket)
        #expect((0..<100).contains(cohort.rolloutBucket))
    }

    @Test func madeUpOrChangedKeysAreRefused() throws {
        let key = Cohort.mint(snapID: "snap-a", at: 1_700_000_000, secret: secret)
        var fields = String(decoding: try #require(Data(base64Encoded: key)), as: UTF8.self).split(separator: " ")
        fields[3] = "changed-nonce"
        let changed = Data(fields.joined(separator: " ").utf8).base64EncodedString()
        for bad in [changed, "MSBmb3JnZWQ=", "not base64!", "", Data("1 snap-a 1 n".utf8).base64EncodedString()] {
            #expect(Cohort.read(bad, snapID: "snap-a", secret: secret) == nil, "\(bad)")
        }
    }
}
