import StoreCore
import Synchronization

/// Each device's installed set as last written, and when, so that a refresh repeating it within
/// `ReportEvents.unchangedReportInterval` costs neither a write nor a read (with the read, a
/// refresh carrying a session took 285–329 µs of server CPU; without, 159–163; docs/performance.md).
///
/// Kept only from commits (`wrote`, called on the writer's queue once the report's transaction
/// commits) and dropped by a download (`forget`, in the download's transaction): what is kept is
/// therefore what the table holds, pending download included, as long as this process is the
/// catalogue's only writer, which `DossierCache` relies on as well. A set is kept as its hash (the
/// process's seeded SipHash): a fleet's devices with twenty snaps each would otherwise keep
/// kilobytes apiece.
final class WrittenReports: Sendable {
    /// Devices kept; past it the memory starts again (the next report of each is written).
    private static let capacity = 200_000
    private let kept = Mutex<[String: (snaps: Int, at: Int64)]>([:])

    /// Whether `snaps` is what was written for the device less than the interval before `time`.
    func unchanged(_ serialKey: String, _ snaps: [ReportedSnap], at time: Int64) -> Bool {
        let digest = snaps.hashValue
        return kept.withLock { kept in
            guard let written = kept[serialKey] else { return false }
            return written.snaps == digest && (0..<ReportEvents.unchangedReportInterval).contains(time - written.at)
        }
    }

    func wrote(_ serialKey: String, _ snaps: [ReportedSnap], at time: Int64) {
        let digest = snaps.hashValue
        kept.withLock { kept in
            if kept.count >= Self.capacity, kept[serialKey] == nil { kept.removeAll(keepingCapacity: true) }
            kept[serialKey] = (digest, time)
        }
    }

    func forget(_ serialKey: String) {
        _ = kept.withLock { $0.removeValue(forKey: serialKey) }
    }
}
