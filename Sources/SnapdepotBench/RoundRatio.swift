/// How one server's rate compares with another's, taken round by round.
///
/// On a shared 2-core machine a load's rate moves by a fifth and more between runs, and the two
/// medians of a pair can come from different rounds, minutes apart. Within one round the two loads
/// ran next to each other, so their ratio holds still better; the median of those ratios is what is
/// printed, with the lowest and highest, so a reader sees how far one run can be trusted.
struct RoundRatio: Encodable, Equatable {
    var median: Double
    var lowest: Double
    var highest: Double

    /// "88 %", or "88 % (61–93)" when the rounds differed as printed.
    var percent: String {
        let (median, lowest, highest) = (Self.percent(median), Self.percent(lowest), Self.percent(highest))
        return lowest == highest ? "\(median) %" : "\(median) % (\(lowest)–\(highest))"
    }

    /// "1.05×", or "1.05× (0.98–1.10)" when the rounds differed as printed.
    var times: String {
        let (median, lowest, highest) = (Self.times(median), Self.times(lowest), Self.times(highest))
        return lowest == highest ? "\(median)×" : "\(median)× (\(lowest)–\(highest))"
    }

    private static func percent(_ ratio: Double) -> String { String(format: "%.0f", ratio * 100) }
    private static func times(_ ratio: Double) -> String { String(format: "%.2f", ratio) }
}

extension RoundRatio {
    /// `of` over `against`, round by round; the ratio of their rates when they lack the same rounds.
    init(_ of: Wrk.Figures, against: Wrk.Figures) {
        let ratios: [Double]
        if let these = of.roundRates, let those = against.roundRates, these.count == those.count, !these.isEmpty,
            those.allSatisfy({ $0 > 0 })
        {
            ratios = zip(these, those).map { $0 / $1 }.sorted()
        } else {
            ratios = [against.requestsPerSecond > 0 ? of.requestsPerSecond / against.requestsPerSecond : 0]
        }
        // The upper one of an even count, as the median round is chosen.
        median = ratios[ratios.count / 2]
        lowest = ratios[0]
        highest = ratios[ratios.count - 1]
    }
}
