import StoreProtocol

/// What the store knows of the device behind a request: its architecture and brand store from the
/// headers, and, when it opened a session, its serial.
public struct DeviceIdentity: Sendable {
    public let architecture: String
    public let storeID: String?
    /// `brand/model/serial` of a device with a session; nil for anonymous requests.
    public let serialKey: String?

    public init(architecture: String, storeID: String?, serialKey: String?) {
        self.architecture = architecture
        self.storeID = storeID
        self.serialKey = serialKey
    }

    /// The device's stable position (0 ≤ x < 100) in a snap's rollouts: a hash of the snap-id and
    /// the serial, so the same device always lands in the same place. nil without a serial, so an
    /// anonymous request gets only full releases.
    public func rolloutBucket(snapID: String) -> Double? {
        serialKey.map { RolloutPosition.of(snapID, serialKey: $0) }
    }
}
