import Assertions
import SnapFiles

/// Where a device keeps what it holds besides its agent state: small records replaced whole
/// (`device.json`, `device-key.pem`, `assertions/*.assert`) and its snap files
/// (`NAME_REV.snap`, with a `.partial` while one downloads). A flashed device keeps them in its
/// folder; a simulated one in memory, its snaps' bytes in a pool the fleet shares.
public protocol DeviceStorage: Sendable {
    /// Where the device is, for messages: a folder's path, or a simulated device's name.
    var location: String { get }
    /// A record's bytes; nil when it is not there.
    func read(_ record: String) -> [UInt8]?
    /// Replaces a record whole: a power cut leaves the old one or the new one.
    func replace(_ record: String, with bytes: [UInt8]) throws

    /// The installed snap files' names (`NAME_REV.snap`).
    func snapFiles() -> [String]
    func hasSnap(_ file: String) -> Bool
    /// An installed snap file, opened and checked.
    func openSnap(_ file: String) throws -> SnapFile
    /// Where an installed snap's bytes can be read (hooks, boot files).
    func snapPath(_ file: String) -> String
    func removeSnap(_ file: String)

    func hasPartial(_ file: String) -> Bool
    /// Downloads `url` into the file's `.partial` (resumed from what is there with `resume`) and
    /// opens what arrived: nil when it is not a snap at all; with the offset the store resumed from.
    func download(
        _ url: String, expectedSize: UInt64, to file: String, resume: Bool, headers: [String: String],
        connection: StoreConnection
    ) async throws -> (SnapFile?, UInt64)
    /// Downloads the delta at `url` whole and applies it (xdelta3, as snapd) to the installed snap
    /// file `source`, into the `.partial` of `file`; opens what it made: nil when not a snap. The
    /// caller checks the digest, and falls back to the whole snap on any failure.
    func applyDelta(
        _ url: String, expectedSize: UInt64, from source: String, to file: String, headers: [String: String],
        connection: StoreConnection
    ) async throws -> SnapFile?
    /// Puts a downloaded `.partial` in place as the snap file.
    func promotePartial(_ file: String) throws
    func removePartial(_ file: String)

    /// The device's verified assertions, if this storage keeps them open between uses, as snapd
    /// keeps its assertion database: a simulated device does, a folder reads and verifies them
    /// again at each open (nil).
    func openAssertions() -> TrustDatabase?
    func keepAssertions(_ database: TrustDatabase)
}

extension DeviceStorage {
    /// The file name of a revision of a snap, as snapd names it.
    static func snapFile(_ name: String, _ revision: Int) -> String {
        "\(name)_\(revision).snap"
    }
}
