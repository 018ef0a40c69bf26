import Foundation
import Synchronization

/// The fleet's simulated time, read by every device's agent as its clock. It moves a tick at a
/// time, and only once every device due in the tick has finished, so what a device sees does
/// not depend on how fast the machine is.
final class SimulatedClock: Sendable {
    private let time: Mutex<Date>

    init(_ start: Date) {
        time = Mutex(start)
    }

    var now: Date {
        get { time.withLock { $0 } }
        set { time.withLock { $0 = newValue } }
    }
}
