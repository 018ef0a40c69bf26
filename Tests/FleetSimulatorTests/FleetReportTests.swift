import Foundation
import Testing

@testable import FleetSimulator

/// The fleet's parts that decide order and report results: the event queue, the seeded draws,
/// failure causes, and the time series a person plots.
@Suite struct FleetReportTests {
    @Test func devicesComeDueInTimeOrderTiesByIndex() {
        var queue = EventQueue()
        let start = Date(timeIntervalSince1970: 0)
        for (offset, device) in [(30.0, 4), (10, 2), (30, 1), (5, 9), (90, 0)] {
            queue.push(start.addingTimeInterval(offset), device)
        }
        #expect(queue.pop(before: start.addingTimeInterval(31)) == [9, 2, 1, 4])
        #expect(queue.earliest == start.addingTimeInterval(90))
        #expect(queue.pop(before: start.addingTimeInterval(60)).isEmpty)
    }

    @Test func aSeedGivesEachDeviceItsOwnRepeatableDraws() {
        var first = SeededRandom(seed: 7, device: 3)
        var again = SeededRandom(seed: 7, device: 3)
        var other = SeededRandom(seed: 7, device: 4)
        let draws = (0..<8).map { _ in first.next() }
        #expect(draws == (0..<8).map { _ in again.next() })
        #expect(draws != (0..<8).map { _ in other.next() })
    }

    @Test func failuresAreGroupedByCause() {
        #expect(FailureCause(reason: "sha3-384 mismatch for \"a\": got x but expected y") == .corruptDownload)
        #expect(
            FailureCause(reason: "the check-health hook of \"a\" (2) failed with exit status 1: no (simulated)")
                == .checkHealth)
        #expect(FailureCause(reason: "cannot reach the store at http://x (6 tries): refused") == .unreachable)
        #expect(FailureCause(reason: "the snap action failed: internal error, HTTP 503") == .storeError)
        #expect(FailureCause.checkHealth.isRevert && !FailureCause.corruptDownload.isRevert)
    }

    @Test func theTimeSeriesReadsBackWhatItWrote() throws {
        var series = TimeSeries()
        series.append(.init(hour: -1, devices: [0: 10], failures: 0))
        series.append(.init(hour: 0, devices: [1: 10], failures: 0))
        series.append(.init(hour: 1, devices: [1: 7, 2: 3], failures: 2))
        #expect(series.csv.hasPrefix("hour,none,r1,r2,failures\n-1,10,0,0,0\n"))
        let read = try TimeSeries.parse(csv: series.csv)
        #expect(read.samples.map(\.hour) == [-1, 0, 1])
        #expect(read.samples[2].devices[2] == 3 && read.samples[2].failures == 2)
        #expect(throws: FleetError.self) { try TimeSeries.parse(csv: "time,r1\n0,1\n") }
        let svg = SeriesPlot.svg(read, title: "a <test>")
        #expect(svg.hasPrefix("<svg") && svg.contains("revision 2") && svg.contains("a &lt;test&gt;"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 3)
    }
}
