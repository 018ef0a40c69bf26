import Foundation

/// Draws a fleet's time series as an SVG chart for people: devices per revision over simulated
/// time, one line per revision, failures as bars along the bottom.
public enum SeriesPlot {
    public static func svg(_ series: TimeSeries, title: String) -> String {
        let width = 960.0
        let height = 540.0
        let left = 70.0
        let right = 150.0
        let top = 50.0
        let bottom = 60.0
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let hours = series.samples.map(\.hour)
        let first = hours.min() ?? 0
        let last = max(hours.max() ?? 1, first + 1)
        let devices = series.samples.map { $0.devices.values.reduce(0, +) }.max() ?? 1
        let most = Double(max(devices, 1))
        func x(_ hour: Double) -> Double { left + (hour - first) / (last - first) * plotWidth }
        func y(_ count: Double) -> Double { top + plotHeight - count / most * plotHeight }
        let colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]
        var parts: [String] = [
            ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(width))" height="\##(Int(height))" "##
                + ##"viewBox="0 0 \##(Int(width)) \##(Int(height))" font-family="sans-serif" font-size="13">"##,
            ##"<rect width="100%" height="100%" fill="white"/>"##,
            ##"<text x="\##(left)" y="28" font-size="18">\##(escape(title))</text>"##,
            ##"<line x1="\##(left)" y1="\##(top + plotHeight)" x2="\##(left + plotWidth)" y2="\##(top + plotHeight)" stroke="black"/>"##,
            ##"<line x1="\##(left)" y1="\##(top)" x2="\##(left)" y2="\##(top + plotHeight)" stroke="black"/>"##,
        ]
        for step in 0...4 {
            let count = most * Double(step) / 4
            parts.append(
                ##"<text x="\##(left - 8)" y="\##(y(count) + 4)" text-anchor="end">\##(Int(count.rounded()))</text>"##)
            parts.append(
                ##"<line x1="\##(left)" y1="\##(y(count))" x2="\##(left + plotWidth)" y2="\##(y(count))" stroke="#ddd"/>"##
            )
        }
        let span = last - first
        let tickEvery: Double = span > 96 ? 24 : span > 24 ? 6 : 1
        var tick = (first / tickEvery).rounded(.up) * tickEvery
        while tick <= last {
            // `+ 0` turns the -0 that rounding up -1 gives into 0.
            let label = tickEvery >= 24 ? "day \(Int(tick / 24))" : String(format: "%gh", tick + 0)
            parts.append(
                ##"<text x="\##(x(tick))" y="\##(top + plotHeight + 20)" text-anchor="middle">\##(label)</text>"##)
            tick += tickEvery
        }
        parts.append(
            ##"<text x="\##(left + plotWidth / 2)" y="\##(height - 15)" text-anchor="middle">simulated time since the start</text>"##
        )
        parts.append(
            ##"<text x="18" y="\##(top + plotHeight / 2)" transform="rotate(-90 18 \##(top + plotHeight / 2))" "##
                + ##"text-anchor="middle">devices</text>"##)
        let failures = series.samples.map(\.failures).max() ?? 0
        if failures > 0 {
            for sample in series.samples where sample.failures > 0 {
                let barHeight = Double(sample.failures) / Double(failures) * plotHeight * 0.15
                let barWidth = max(2, plotWidth / (last - first) * 0.8)
                parts.append(
                    ##"<rect x="\##(x(sample.hour) - barWidth / 2)" y="\##(top + plotHeight - barHeight)" "##
                        + ##"width="\##(barWidth)" height="\##(barHeight)" fill="#999"/>"##)
            }
        }
        for (index, revision) in series.revisions.enumerated() {
            let colour = colours[index % colours.count]
            let points = series.samples.map { sample in
                String(format: "%.1f,%.1f", x(sample.hour), y(Double(sample.devices[revision] ?? 0)))
            }
            parts.append(
                ##"<polyline fill="none" stroke="\##(colour)" stroke-width="2.5" points="\##(points.joined(separator: " "))"/>"##
            )
            let legendY = top + 10 + Double(index) * 22
            parts.append(
                ##"<line x1="\##(width - right + 15)" y1="\##(legendY)" x2="\##(width - right + 40)" y2="\##(legendY)" "##
                    + ##"stroke="\##(colour)" stroke-width="3"/>"##)
            parts.append(
                ##"<text x="\##(width - right + 46)" y="\##(legendY + 4)">\##(revision == 0 ? "without the snap" : "revision \(revision)")</text>"##
            )
        }
        if failures > 0 {
            let legendY = top + 10 + Double(series.revisions.count) * 22
            parts.append(
                ##"<rect x="\##(width - right + 15)" y="\##(legendY - 6)" width="25" height="10" fill="#999"/>"##)
            parts.append(##"<text x="\##(width - right + 46)" y="\##(legendY + 4)">failures/hour</text>"##)
        }
        parts.append("</svg>")
        return parts.joined(separator: "\n") + "\n"
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
