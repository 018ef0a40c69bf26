import Foundation

/// Named points where a store can be made to die as a power cut would (SIGKILL, nothing flushed
/// or unwound), for the kill campaign (`Tests/EndToEndTests/KillCampaignTests.swift`): set
/// `SNAPDEPOT_CRASH_AT` to a point's name. Random kills rarely land in the narrow windows that
/// matter most; these land there every time.
public enum CrashPoint: String, Sendable, CaseIterable {
    /// An upload's or import's blob is renamed into place; its revision row is not committed yet.
    case blobCommitted = "blob-committed"
    /// The revision row is committed; the client has not been answered yet.
    case revisionCommitted = "revision-committed"

    private static let armed = ProcessInfo.processInfo.environment["SNAPDEPOT_CRASH_AT"].flatMap(CrashPoint.init)

    static func reached(_ point: CrashPoint) {
        if armed == point { kill(getpid(), SIGKILL) }
    }
}
