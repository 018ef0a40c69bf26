import Foundation

/// Devices per revision of the followed snap, sampled each simulated hour: the `--csv` file and
/// what `fleet plot` draws.
public struct TimeSeries: Sendable, Equatable {
    public struct Sample: Sendable, Equatable {
        /// Simulated hours since the scenario's start (negative while devices boot).
        public let hour: Double
        /// Devices per revision; revision 0 counts devices without the snap.
        public let devices: [Int: Int]
        /// Failed attempts within the hour.
        public let failures: Int
    }

    public private(set) var samples: [Sample] = []

    public init(samples: [Sample] = []) {
        self.samples = samples
    }

    mutating func append(_ sample: Sample) {
        samples.append(sample)
    }

    /// Every revision seen, in order.
    public var revisions: [Int] {
        Array(Set(samples.flatMap(\.devices.keys))).sorted()
    }

    /// `hour,r1,r2,…,failures` with one row per sample.
    public var csv: String {
        let revisions = revisions
        var lines = [(["hour"] + revisions.map { $0 == 0 ? "none" : "r\($0)" } + ["failures"]).joined(separator: ",")]
        for sample in samples {
            let counts = revisions.map { String(sample.devices[$0] ?? 0) }
            lines.append(
                ([String(format: "%g", sample.hour)] + counts + [String(sample.failures)]).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The series of a fleet split in shards: each hour's devices and failures summed.
    public static func sum(_ shards: [TimeSeries]) throws -> TimeSeries {
        guard let first = shards.first else { return TimeSeries() }
        var sum = TimeSeries()
        for (position, sample) in first.samples.enumerated() {
            var devices: [Int: Int] = [:]
            var failures = 0
            for shard in shards {
                guard position < shard.samples.count, shard.samples[position].hour == sample.hour else {
                    throw FleetError("the shards' series do not cover the same hours")
                }
                devices.merge(shard.samples[position].devices, uniquingKeysWith: +)
                failures += shard.samples[position].failures
            }
            sum.append(Sample(hour: sample.hour, devices: devices, failures: failures))
        }
        guard shards.allSatisfy({ $0.samples.count == first.samples.count }) else {
            throw FleetError("the shards' series do not cover the same hours")
        }
        return sum
    }

    /// Reads what `csv` wrote.
    public static func parse(csv text: String) throws -> TimeSeries {
        let rows = text.split(whereSeparator: \.isNewline).map { $0.split(separator: ",").map(String.init) }
        guard let header = rows.first, header.first == "hour", header.last == "failures", header.count >= 3 else {
            throw FleetError("not a fleet time series: its header is hour,r1,…,failures")
        }
        let revisions = try header.dropFirst().dropLast().map { name -> Int in
            if name == "none" { return 0 }
            guard name.hasPrefix("r"), let revision = Int(name.dropFirst()) else {
                throw FleetError("column \"\(name)\" is not a revision like r2")
            }
            return revision
        }
        var series = TimeSeries()
        for (number, row) in rows.dropFirst().enumerated() {
            guard row.count == header.count, let hour = Double(row[0]), let failures = Int(row[row.count - 1]) else {
                throw FleetError("line \(number + 2) does not have \(header.count) numbers")
            }
            var devices: [Int: Int] = [:]
            for (offset, revision) in revisions.enumerated() {
                guard let count = Int(row[offset + 1]) else {
                    throw FleetError("line \(number + 2): \(row[offset + 1]) is not a count")
                }
                devices[revision] = count
            }
            series.append(Sample(hour: hour, devices: devices, failures: failures))
        }
        return series
    }
}
