import DepotCrypto

/// A device's stable position (0 ≤ x < 100) in one draw of devices: a hash of what is drawn for
/// (a snap-id for its rollouts, `fault-ID` for a fault's share) and the device's
/// `brand/model/serial`, so the same device always lands in the same place. The store places
/// devices with it; a fleet simulator reckons the same places for the faults it plays itself.
public enum RolloutPosition {
    public static func of(_ draw: String, serialKey: String) -> Double {
        let digest = Digest.sha3_384(Array("\(draw)/\(serialKey)".utf8))
        let value = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Double(value % 10_000) / 100
    }

    /// What a fault's device share is drawn by: a fault on a snap takes the first devices in that
    /// snap's rollout order, so a fault on 1 % of devices falls inside any rollout of it at 1 % or
    /// more (the devices a rehearsal is about); a fault on every snap draws afresh.
    public static func faultDraw(snapID: String?, faultID: Int) -> String {
        snapID ?? "fault-\(faultID)"
    }
}
