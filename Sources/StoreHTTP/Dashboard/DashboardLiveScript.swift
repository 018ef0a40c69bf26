/// The one script of the dashboard, served as `/dashboard/live.js` (the pages' CSP allows scripts
/// from the store only): a snap's page asks `live.json` every two seconds and draws what devices
/// run, per revision, and each rollout's share, as lines over the time the page has been open.
enum DashboardLiveScript {
    static let source = #"""
        "use strict";
        (function () {
          const live = document.getElementById("live");
          if (!live) return;
          const samples = [];
          const colours = ["#e95420", "#0e8420", "#2c5ac9", "#b30e8b", "#7a6a00", "#00707a"];
          const describe = (sample) => {
            const devices = sample.revisions.map((r) => "r" + r.revision + ": " + r.devices + (r.devices === 1 ? " device" : " devices"));
            const rollouts = sample.rollouts.map((r) => "rollout r" + r.revision + " in " + r.channel + " at " + r.percentage + " %" + (r.halted ? " (halted)" : ""));
            return (devices.length ? devices.join(", ") : "no device reported it") + " · " + (rollouts.length ? rollouts.join(", ") : "no rollout");
          };
          const line = (svg, points, colour, label) => {
            const polyline = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
            polyline.setAttribute("points", points.join(" "));
            polyline.setAttribute("fill", "none");
            polyline.setAttribute("stroke", colour);
            polyline.setAttribute("stroke-width", "2");
            polyline.setAttribute("data-series", label);
            svg.appendChild(polyline);
          };
          const draw = () => {
            const svg = document.getElementById("live-chart");
            while (svg.lastChild) svg.removeChild(svg.lastChild);
            const width = 600, height = 180, count = samples.length;
            const x = (i) => (count < 2 ? width : (i * width) / (count - 1)).toFixed(1);
            const most = Math.max(1, ...samples.flatMap((s) => s.revisions.map((r) => r.devices)));
            const revisions = [...new Set(samples.flatMap((s) => s.revisions.map((r) => r.revision)))].sort((a, b) => a - b);
            revisions.forEach((revision, index) => {
              const points = samples.map((s, i) => {
                const found = s.revisions.find((r) => r.revision === revision);
                return x(i) + "," + (height - ((found ? found.devices : 0) * height) / most).toFixed(1);
              });
              line(svg, points, colours[index % colours.length], "r" + revision + " devices");
            });
            const shares = [...new Set(samples.flatMap((s) => s.rollouts.map((r) => r.channel + " r" + r.revision)))];
            shares.forEach((share) => {
              const points = samples.map((s, i) => {
                const found = s.rollouts.find((r) => r.channel + " r" + r.revision === share);
                return x(i) + "," + (height - ((found ? found.percentage : 0) * height) / 100).toFixed(1);
              });
              line(svg, points, "#333", "rollout " + share + " %");
            });
            document.getElementById("live-now").textContent = describe(samples[count - 1]);
            document.getElementById("live-first").textContent = describe(samples[0]);
            live.setAttribute("data-samples", String(count));
          };
          const poll = () => {
            fetch(live.getAttribute("data-url"), { cache: "no-store" })
              .then((response) => response.json())
              .then((sample) => { samples.push(sample); if (samples.length > 900) samples.shift(); draw(); })
              .catch(() => { document.getElementById("live-now").textContent = "the store did not answer"; });
          };
          poll();
          setInterval(poll, 2000);
        })();
        """#
}
