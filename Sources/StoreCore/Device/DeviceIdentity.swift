import StoreProtocol

/// What the store knows of the device behind a request: its architecture and brand store from the
/// headers, and, when it opened a session, its serial.
public struct DeviceIdentity: Sendable {
    public let architecture: String
    public let storeID: String?
    /// `brand/model/serial` of a device with a session; nil for anonymous requests.
    public let serialKey: String?
    /// The store account signed in on the device (snapd sends its user's macaroon in
    /// `Authorization`), nil for most devices: private snaps and unreleased revisions are seen by
    /// their publisher and the admin only.
    public let account: Principal?

    public init(architecture: String, storeID: String?, serialKey: String?, account: Principal? = nil) {
        self.architecture = architecture
        self.storeID = storeID
        self.serialKey = serialKey
        self.account = account
    }

    /// Whether the account signed in on the device publishes `snap` (or is the admin).
    public func publishes(_ snap: SnapRecord) -> Bool {
        guard let account else { return false }
        return account.isAdmin || account.accountID == snap.publisherID
    }

    /// The device's stable position (0 ≤ x < 100) in a snap's rollouts: a hash of the snap-id and
    /// the serial, so the same device always lands in the same place. nil without a serial, so an
    /// anonymous request gets only full releases.
    public func rolloutBucket(snapID: String) -> Double? {
        serialKey.map { RolloutPosition.of(snapID, serialKey: $0) }
    }
}
