import Testing

@testable import SnapdepotBench

/// The benchmark's shares and speed-ups are taken round by round, the pair's loads having run
/// next to each other, and printed with their spread.
@Suite struct RoundRatioTests {
    func figures(_ rates: [Double]?, median: Double) -> Wrk.Figures {
        Wrk.Figures(
            server: "s", request: "r", connections: 1, requestsPerSecond: median, p50Milliseconds: 0,
            p99Milliseconds: 0, mebibytesPerSecond: 0, errors: 0, errorKinds: [:], roundRates: rates)
    }

    @Test func aShareIsTheMedianOfTheRoundsOwnRatios() {
        // The medians alone would say 1 000 / 1 100 = 91 %; round by round: 50 %, 50 %, 109 %.
        let ours = figures([500, 1_000, 1_200], median: 1_000)
        let theirs = figures([1_000, 2_000, 1_100], median: 1_100)
        let ratio = RoundRatio(ours, against: theirs)
        #expect(ratio == RoundRatio(median: 0.5, lowest: 0.5, highest: 1_200.0 / 1_100.0))
        #expect(ratio.percent == "50 % (50–109)")
        #expect(RoundRatio(theirs, against: ours).times == "2.00× (0.92–2.00)")
    }

    @Test func anEvenCountTakesTheUpperMiddleRatio() {
        let ratio = RoundRatio(figures([100, 300], median: 300), against: figures([200, 200], median: 200))
        #expect(ratio.median == 1.5 && ratio.lowest == 0.5)
    }

    @Test func withoutTheSameRoundsItIsTheRatioOfTheRates() {
        let one = RoundRatio(figures(nil, median: 450), against: figures([500, 500], median: 500))
        #expect(one == RoundRatio(median: 0.9, lowest: 0.9, highest: 0.9))
        #expect(one.percent == "90 %" && one.times == "0.90×")
        let mismatched = RoundRatio(figures([1, 2, 3], median: 2), against: figures([4, 4], median: 4))
        #expect(mismatched.median == 0.5)
        #expect(RoundRatio(figures(nil, median: 5), against: figures(nil, median: 0)).median == 0)
    }

    @Test func roundsThatPrintAlikeShowNoSpread() {
        let ratio = RoundRatio(figures([401, 399], median: 401), against: figures([1_000, 1_000], median: 1_000))
        #expect(ratio.lowest != ratio.highest)
        #expect(ratio.percent == "40 %" && ratio.times == "0.40×")
    }
}
