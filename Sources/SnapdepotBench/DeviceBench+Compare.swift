import Foundation
import SnapdepotCLI
import StorePersistence

/// Two builds of snapdepot measured against each other on one machine at one time: the way to tell
/// what a change did when the machine's own noise (a shared 2-core VM here) is larger than the
/// change. Each build serves its own copy of the same data; every load (the trivial route, refreshes
/// of 1 and 20 snaps, downloads whole and from the middle) runs once per build per round, the order
/// swapped each round, and the median round of each is printed with the median of the rounds' own
/// ratios.
extension DeviceBench {
    struct Comparison: Encodable {
        var request: String
        var connections: Int
        /// The median round of this build, and of the other.
        var thisBuild: Wrk.Figures
        var otherBuild: Wrk.Figures
        /// This build's rate over the other's, round by round.
        var ratio: RoundRatio
        var rounds: Int
    }

    struct ComparisonFigures: Encodable {
        var otherBinary: String
        var catalogueSnaps: Int
        var comparisons: [Comparison] = []
        /// Whether both builds answered the refreshes with the same bytes (their addresses aside).
        var sameAnswers = true
    }

    func compareBuilds(with other: String, data: DataDirectory, seeded: Seeded, work: URL, wrk: Wrk) async throws {
        let copy = work.appendingPathComponent("data-other").path
        try FileManager.default.copyItem(atPath: data.path, toPath: copy)
        BenchSupport.progress(json, "starting this build's snapdepot serve and \(other)'s…")
        let this = try ServedStore(data: data.path, work: work)
        defer { this.stop() }
        let that = try ServedStore(data: copy, work: work, name: "serve-other", binary: other)
        defer { that.stop() }

        var figures = ComparisonFigures(otherBinary: other, catalogueSnaps: snaps)
        var requests: [(label: String, this: Wrk.Request, that: Wrk.Request)] = [
            ("/readyz", Wrk.Request(url: this.base + "/readyz"), Wrk.Request(url: that.base + "/readyz"))
        ]
        for (label, ids) in [
            ("refresh, 1 snap", Array(seeded.ids.prefix(1))), ("refresh, 20 snaps", Array(seeded.ids.suffix(20))),
        ] {
            let request = (label, try refresh(this.base, ids), try refresh(that.base, ids))
            let answers = (
                try await expectRefresh(request.1, results: ids.count),
                try await expectRefresh(request.2, results: ids.count)
            )
            // The answers name each server's own address in their download URLs.
            let unaddressed = String(decoding: answers.1, as: UTF8.self).replacingOccurrences(
                of: that.base, with: this.base)
            if String(decoding: answers.0, as: UTF8.self) != unaddressed { figures.sameAnswers = false }
            requests.append(request)
        }
        var downloads: [(label: String, this: Wrk.Request, that: Wrk.Request)] = []
        for download in seeded.downloads {
            let half = download.size / 2
            for url in [this.base + download.url, that.base + download.url] {
                try await expectDownload(url, size: download.size, from: half)
            }
            downloads.append(
                (
                    "download \(download.label)", Wrk.Request(url: this.base + download.url),
                    Wrk.Request(url: that.base + download.url)
                ))
            let range = ["Range": "bytes=\(half)-"]
            downloads.append(
                (
                    "download \(download.label) from the middle",
                    Wrk.Request(url: this.base + download.url, headers: range),
                    Wrk.Request(url: that.base + download.url, headers: range)
                ))
        }
        for (connections, requests) in [(1, requests), (64, requests), (1, downloads), (4, downloads)] {
            for request in requests {
                let medians = try medianRounds(
                    [(this, "this build", request.this), (that, "other build", request.that)].map {
                        server, name, load in
                        (
                            "\(name): \(request.label), \(connections) connection(s), \(seconds) s…",
                            {
                                let figures = try wrk.load(
                                    name, request.label, load, connections: connections, seconds: seconds,
                                    process: server.child.processIdentifier)
                                guard figures.errors == 0 else {
                                    throw CLIError(
                                        "\(name) \(request.label): \(figures.errors) errors (\(figures.errorKinds))")
                                }
                                return figures
                            }
                        )
                    })
                figures.comparisons.append(
                    Comparison(
                        request: request.label, connections: connections, thisBuild: medians[0],
                        otherBuild: medians[1], ratio: RoundRatio(medians[0], against: medians[1]),
                        rounds: rounds))
            }
        }
        if json { return try JSONOutput.print(figures) }
        print(Self.report(figures))
    }

    static func report(_ figures: ComparisonFigures) -> String {
        let rows = figures.comparisons.map { comparison in
            [
                comparison.request, String(comparison.connections),
                String(format: "%.0f", comparison.thisBuild.requestsPerSecond),
                String(format: "%.0f", comparison.otherBuild.requestsPerSecond),
                comparison.ratio.times,
                String(
                    format: "%.2f / %.2f", comparison.thisBuild.p99Milliseconds, comparison.otherBuild.p99Milliseconds),
                [comparison.thisBuild, comparison.otherBuild].map {
                    $0.serverCPUMicrosecondsPerRequest.map { String(format: "%.0f", $0) } ?? "n/a"
                }.joined(separator: " / "),
            ]
        }
        var text =
            "this build against \(figures.otherBinary) (SQLite catalogue of \(figures.catalogueSnaps) snaps, "
            + "median of \(figures.comparisons.first?.rounds ?? 0) interleaved rounds, wrk on loopback; "
            + "this of other: the median of the rounds' own ratios, lowest–highest)\n"
        text += Table.render(
            [
                "request", "connections", "this req/s", "other req/s", "this of other", "p99 ms this / other",
                "CPU µs/request this / other",
            ],
            rows)
        if !figures.sameAnswers {
            text += "\n\nwarning: the two builds answered the refreshes with different bytes"
        }
        return text
    }
}
