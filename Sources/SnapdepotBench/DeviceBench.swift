import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import SnapFiles
import SnapdepotCLI
import StoreCore
import StorePersistence
import StoreProtocol

/// The device API at the machine's limit, beside the servers users compare it with: `snapdepot
/// serve` (its own process), Debian's nginx and snapd's own fakestore, every one driven by the same
/// neutral client (wrk) in one run, so that ratios, not remembered figures, are what is compared.
struct DeviceBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "device",
        abstract: "Refresh and download figures with wrk: snapdepot beside nginx and snapd's fakestore.",
        discussion: """
            Needs wrk (apt-get install wrk). nginx (nginx-light) and snapd's fakestore \
            (scripts/build-snapd-fakestore) are measured when present; their columns say n/a otherwise.
            """
    )

    @Option(help: "Snaps in the catalogue.") var snaps: Int = 10_000
    @Option(help: "Whole seconds per load.") var seconds: Int = 5
    @Option(help: "snapd's fakestore binary (default: $SNAPDEPOT_FAKESTORE or .build/snapd-fakestore).")
    var fakestore: String?
    @Option(help: "Sizes of the snaps downloaded, in MiB.") var downloadMib: [Int] = [5, 100]
    @OptionGroup var database: DatabaseOption
    @Option(
        help: "Then measure refreshes on 1 to N replicas (serve processes on one --database), 64 connections in all.")
    var replicas: Int = 1
    @Option(
        help: ArgumentHelp(
            "Measure this build against another build's snapdepot binary instead, interleaved.",
            discussion: "Each serves its own copy of the same data; see docs/performance.md.",
            valueName: "binary"))
    var compare: String?
    @Option(
        help: ArgumentHelp(
            "Rounds of every load; each load's median round is reported.",
            discussion:
                "Servers (or, with --compare, builds) take turns in each round, the order reversed every other round."))
    var rounds: Int = 3
    @Flag(help: "Print machine-readable JSON.") var json = false

    struct Figures: Encodable {
        var catalogue = "SQLite"
        var loads: [Wrk.Figures] = []
        /// Refreshes spread over 1, 2, … replicas at once (`--replicas`).
        var replicaLoads: [Wrk.Figures] = []
        /// snapdepot's resident memory after start, after the refresh loads at 64 connections, and at its peak.
        var serverMemory: [String: Int] = [:]
        var catalogueSnaps = 0
        /// Each figure is the median of this many rounds.
        var rounds = 1
    }

    /// What the store is seeded with: ids for refresh bodies, and the files downloaded.
    struct Seeded {
        var ids: [String]
        var downloads: [(label: String, url: String, path: String, size: Int)]
    }

    func run() async throws {
        guard seconds > 0, rounds > 0, snaps >= 20, !downloadMib.isEmpty else {
            throw ValidationError(
                "--seconds and --rounds must be positive, --snaps at least 20, and --download-mib given")
        }
        let postgres = try database.postgres
        if let compare {
            guard FileManager.default.isExecutableFile(atPath: compare), postgres == nil, replicas == 1
            else {
                throw ValidationError(
                    "--compare needs an executable snapdepot binary (\(compare) is not one); "
                        + "it measures SQLite copies, without --database or --replicas")
            }
        }
        guard replicas == 1 || (replicas > 1 && replicas <= 8 && postgres != nil) else {
            throw ValidationError("--replicas from 2 to 8 needs --database: replicas share a PostgreSQL catalogue")
        }
        // Without the option, the replicas read $SNAPDEPOT_DATABASE as this process did.
        let serveArguments = database.database.map { ["--database", $0] } ?? []
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("snapdepot-bench-\(getpid())")
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let wrk = try Wrk(work: work)
        let data = DataDirectory(path: work.appendingPathComponent("data").path)
        let seeded = try await seed(data, work: work)
        if let compare {
            return try await compareBuilds(with: compare, data: data, seeded: seeded, work: work, wrk: wrk)
        }

        BenchSupport.progress(json, "starting snapdepot serve, nginx and snapd's fakestore…")
        let store = try ServedStore(data: data.path, work: work, arguments: serveArguments)
        defer { store.stop() }
        let nginx: NginxServer?
        let answers = work.appendingPathComponent("answers")
        try FileManager.default.createDirectory(at: answers, withIntermediateDirectories: true)
        do { nginx = try NginxServer(root: data.blobsPath, answers: answers.path, work: work) } catch {
            BenchSupport.progress(json, "nginx: \(error); its columns say n/a")
            nginx = nil
        }
        defer { nginx?.stop() }
        let fake: SnapdFakestore?
        if let binary = SnapdFakestore.binary(fakestore) {
            fake = try SnapdFakestore(
                binary: binary, work: work,
                downloads: Dictionary(uniqueKeysWithValues: seeded.downloads.map { ($0.label, $0.path) }))
        } else {
            BenchSupport.progress(json, "fakestore: not built (scripts/build-snapd-fakestore); its columns say n/a")
            fake = nil
        }
        defer { fake?.stop() }

        var figures = Figures(
            catalogue: postgres.map { "PostgreSQL \($0)" } ?? "SQLite", catalogueSnaps: snaps, rounds: rounds)
        figures.serverMemory["after-start"] = store.memory().resident
        func measure(_ group: [(server: String, label: String, request: Wrk.Request, connections: Int)]) throws {
            figures.loads += try medianRounds(
                group.map { server, label, request, connections in
                    (
                        "\(server): \(label), \(connections) connection(s), \(seconds) s…",
                        {
                            let process = ["snapdepot": store.child, "nginx": nginx?.child, "fakestore": fake?.child][
                                server]??.processIdentifier
                            let load = try wrk.load(
                                server, label, request, connections: connections, seconds: seconds, process: process)
                            // A peer's errors are its own and are shown; snapdepot's own would make its figures mislead.
                            guard load.errors == 0 || server != "snapdepot" else {
                                throw CLIError(
                                    "\(server) \(label): \(load.errors) errors under load (\(load.errorKinds)); "
                                        + "figures would mislead. The server's log ends:\n\(store.logTail())")
                            }
                            return load
                        }
                    )
                })
        }

        // Refreshes: a device with 1 and with 20 snaps installed, all with a newer revision in stable.
        let one = try refresh(store.base, Array(seeded.ids.prefix(1)))
        let twenty = try refresh(store.base, Array(seeded.ids.suffix(20)))
        try await expectRefresh(one, results: 1)
        // nginx sends the same bytes as a file: what an answer of that size costs at the machine's limit.
        try await expectRefresh(twenty, results: 20).write(to: answers.appendingPathComponent("refresh-20.json"))
        let fakeRefresh = try fake.map { try refresh($0.base, [$0.snapID]) }
        // fakestore answers any refresh with the one revision it has.
        if let fakeRefresh { try await expectRefresh(fakeRefresh, results: 1, newerThan: 0) }
        for connections in [1, 64] {
            var group = [
                ("snapdepot", "/readyz", Wrk.Request(url: store.base + "/readyz"), connections),
                ("snapdepot", "refresh, 1 snap", one, connections),
                ("snapdepot", "refresh, 20 snaps", twenty, connections),
            ]
            if let nginx {
                group.append(
                    ("nginx", "/readyz", Wrk.Request(url: "http://127.0.0.1:\(nginx.port)/readyz"), connections))
                group.append(
                    (
                        "nginx", "the 20-snap answer as a file",
                        Wrk.Request(url: "http://127.0.0.1:\(nginx.port)/answers/refresh-20.json"), connections
                    ))
            }
            if let fake, let fakeRefresh {
                group.append(
                    (
                        "fakestore", SnapdFakestore.trivialRoute,
                        Wrk.Request(url: fake.base + SnapdFakestore.trivialRoute), connections
                    ))
                group.append(("fakestore", "refresh, 1 snap", fakeRefresh, connections))
            }
            try measure(group)
            if connections == 64 { figures.serverMemory["after-refresh-load"] = store.memory().resident }
        }

        // Downloads: whole files and resumed ones (a Range from the middle), as snapd asks for them.
        for download in seeded.downloads {
            let half = download.size / 2
            var targets = [("snapdepot", store.base + download.url)]
            if let nginx {
                let relative = String(download.path.dropFirst(data.blobsPath.count))
                targets.append(("nginx", "http://127.0.0.1:\(nginx.port)\(relative)"))
            }
            if let fake { targets.append(("fakestore", fake.base + "/download/\(download.label).bin")) }
            for (_, url) in targets {
                try await expectDownload(url, size: download.size, from: half)
            }
            for connections in [1, 4] {
                try measure(
                    targets.flatMap { server, url in
                        [
                            (server, "download \(download.label)", Wrk.Request(url: url), connections),
                            (
                                server, "download \(download.label) from the middle",
                                Wrk.Request(url: url, headers: ["Range": "bytes=\(half)-"]), connections
                            ),
                        ]
                    })
            }
        }
        figures.serverMemory["peak"] = store.memory().peak

        if replicas > 1 {
            var servers = [store]
            defer { for server in servers.dropFirst() { server.stop() } }
            for number in 2...replicas {
                BenchSupport.progress(json, "starting replica \(number)…")
                servers.append(
                    try ServedStore(data: data.path, work: work, arguments: serveArguments, name: "serve-\(number)"))
            }
            for count in 1...replicas {
                for (label, ids) in [
                    ("refresh, 1 snap", Array(seeded.ids.prefix(1))),
                    ("refresh, 20 snaps", Array(seeded.ids.suffix(20))),
                ] {
                    let requests = try servers.prefix(count).map { try refresh($0.base, ids) }
                    for request in requests { try await expectRefresh(request, results: ids.count) }
                    BenchSupport.progress(json, "\(count) replica(s): \(label), 64 connections, \(seconds) s…")
                    let load = try wrk.load(
                        "snapdepot ×\(count)", label, across: requests, connections: 64, seconds: seconds)
                    guard load.errors == 0 else {
                        throw CLIError("\(count) replicas, \(label): \(load.errors) errors (\(load.errorKinds))")
                    }
                    figures.replicaLoads.append(load)
                }
            }
        }

        if json { return try JSONOutput.print(figures) }
        print(Self.report(figures))
    }

    /// Seeds the catalogue (benchmark-only bulk insert) and uploads the download snaps the normal
    /// way, then closes the store so that `serve` opens it alone.
    func seed(_ data: DataDirectory, work: URL) async throws -> Seeded {
        BenchSupport.progress(json, "creating a store with \(snaps) snaps (benchmark-only bulk insert)…")
        let (store, catalogue, _) = try await data.openStore(
            keyBits: 2048, uploadLimit: 1 << 40, database: try database.postgres)
        let ids = try await catalogue.seedForBenchmark(snaps: snaps, revisionsPerSnap: 3)
        let account = try await store.createAccount(username: "bench", by: .admin)
        let publisher = Principal(role: .publisher, accountID: account.id)
        _ = try await store.register(name: "bench-download", by: publisher)
        var downloads: [(label: String, url: String, path: String, size: Int)] = []
        for mebibytes in downloadMib.sorted() {
            BenchSupport.progress(json, "packing and uploading a \(mebibytes) MiB snap…")
            let source = work.appendingPathComponent("source-\(mebibytes)")
            try FileManager.default.createDirectory(
                at: source.appendingPathComponent("meta"), withIntermediateDirectories: true)
            try Data("name: bench-download\nversion: '\(mebibytes)'\nsummary: b\ndescription: b\n".utf8)
                .write(to: source.appendingPathComponent("meta/snap.yaml"))
            try BenchSupport.writeRandomFile(source.appendingPathComponent("payload"), mebibytes: mebibytes)
            let snapPath = work.appendingPathComponent("bench-\(mebibytes).snap").path
            _ = try SnapPacker().pack(directory: source.path, output: snapPath)
            let blob = try store.blobs.ingest(fileAt: snapPath, limit: store.uploadLimit)
            let record = try await store.upload(blob, name: "bench-download", by: publisher)
            // Unreleased revisions are their publisher's alone: released, anyone may download them.
            _ = try await store.release(
                name: "bench-download", revision: record.revision, channels: ["stable"], by: publisher)
            try? FileManager.default.removeItem(atPath: snapPath)
            downloads.append(
                (
                    "\(mebibytes)MiB", "/api/v1/snaps/download/\(record.snapID)_\(record.revision).snap",
                    store.blobs.path(forDigest: record.sha3_384), Int(record.size)
                ))
        }
        return Seeded(ids: ids, downloads: downloads)
    }

    /// Runs each load `rounds` times, in reverse order every other round so that no load always
    /// follows the same one, and returns each load's median round: this machine's noise moves a
    /// single run by a fifth and more, and a ratio of two servers measured minutes apart with it.
    /// `progress` says what a load is while it runs.
    func medianRounds(_ loads: [(progress: String, run: () throws -> Wrk.Figures)]) throws -> [Wrk.Figures] {
        var runs: [[Wrk.Figures]] = Array(repeating: [], count: loads.count)
        for round in 0..<rounds {
            for index in round.isMultiple(of: 2) ? Array(loads.indices) : loads.indices.reversed() {
                BenchSupport.progress(
                    json, (rounds > 1 ? "round \(round + 1) of \(rounds): " : "") + loads[index].progress)
                runs[index].append(try loads[index].run())
            }
        }
        // The round with the median rate (the upper one of an even count), with every round's rate.
        return runs.map { runs in
            var median = runs.sorted { $0.requestsPerSecond < $1.requestsPerSecond }[runs.count / 2]
            median.roundRates = runs.map(\.requestsPerSecond)
            return median
        }
    }

    /// The request snapd sends for a scheduled refresh of `snapIDs`, each installed at revision 1.
    func refresh(_ base: String, _ snapIDs: [String]) throws -> Wrk.Request {
        let request = SnapActionRequest(
            context: snapIDs.map {
                .init(
                    snapID: $0, instanceKey: $0, revision: 1, trackingChannel: "latest/stable",
                    epoch: Epoch(read: [0], write: [0]), refreshedDate: "2026-11-01T00:00:00Z")
            },
            actions: snapIDs.map { .init(.refresh, instanceKey: $0, snapID: $0) },
            fields: SnapActionRequest.snapdFields)
        return Wrk.Request(
            url: base + "/v2/snaps/refresh", method: "POST",
            headers: [
                "Content-Type": "application/json", "Accept": "application/json", "Snap-Device-Architecture": "amd64",
                "Snap-Device-Series": "16", "Snap-Classic": "false", "Snap-Device-Capabilities": "default-tracks",
                "Snap-Refresh-Reason": "scheduled",
            ],
            body: try WireJSON.encoder.encode(request))
    }

    /// A load is only worth measuring if it answers what a device needs: checked once beforehand.
    /// Checks that `request` refreshes `results` snaps, and returns the answer.
    @discardableResult
    func expectRefresh(_ request: Wrk.Request, results: Int, newerThan installed: Int = 1) async throws
        -> Data
    {
        var http = HTTPClientRequest(url: request.url)
        http.method = .POST
        for (name, value) in request.headers { http.headers.add(name: name, value: value) }
        http.body = .bytes(ByteBuffer(bytes: request.body ?? Data()))
        let response = try await HTTPClient.shared.execute(http, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 64 << 20)
        // Read loosely: fakestore leaves out fields snapdepot's typed answer requires.
        let answer = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
        let refreshed = (answer?["results"] as? [[String: Any]])?.filter {
            $0["result"] as? String == "refresh" && ($0["snap"] as? [String: Any])?["revision"] as? Int ?? 0 > installed
        }.count
        guard response.status == .ok, refreshed == results else {
            throw CLIError(
                "\(request.url) answered \(response.status) with \(refreshed ?? 0) of \(results) refreshes: "
                    + String(buffer: body).prefix(300))
        }
        return Data(body.readableBytesView)
    }

    func expectDownload(_ url: String, size: Int, from offset: Int) async throws {
        for range in [nil, offset] {
            var request = HTTPClientRequest(url: url)
            if let range { request.headers.add(name: "Range", value: "bytes=\(range)-") }
            let response = try await HTTPClient.shared.execute(request, timeout: .minutes(5))
            var bytes = 0
            for try await chunk in response.body { bytes += chunk.readableBytes }
            let expected = size - (range ?? 0)
            guard response.status == (range == nil ? .ok : .partialContent), bytes == expected else {
                throw CLIError("\(url) (range \(range.map(String.init) ?? "none")): \(response.status), \(bytes) bytes")
            }
        }
    }

    /// The side-by-side tables: refreshes as a share of each server's own trivial route, downloads
    /// as a share of nginx's rate.
    static func report(_ figures: Figures) -> String {
        func find(_ server: String, _ request: String, _ connections: Int) -> Wrk.Figures? {
            figures.loads.first { $0.server == server && $0.request == request && $0.connections == connections }
        }
        let ceiling = ["snapdepot": "/readyz", "nginx": "/readyz", "fakestore": SnapdFakestore.trivialRoute]
        var rows: [[String]] = []
        for load in figures.loads where !load.request.hasPrefix("download") {
            let trivial = ceiling[load.server].flatMap { find(load.server, $0, load.connections) }
            let share =
                trivial.map { $0.request == load.request ? "ceiling" : RoundRatio(load, against: $0).percent } ?? ""
            rows.append([
                load.server, load.request, String(load.connections), String(format: "%.0f", load.requestsPerSecond),
                String(format: "%.2f", load.p50Milliseconds), String(format: "%.2f", load.p99Milliseconds), share,
                load.serverCPUMicrosecondsPerRequest.map { String(format: "%.0f", $0) } ?? "n/a", String(load.errors),
            ])
        }
        var text =
            "refresh (\(figures.catalogue) catalogue of \(figures.catalogueSnaps) snaps; fakestore serves 1), wrk on loopback, "
            + "median of \(figures.rounds) interleaved round(s); a share is the median of the rounds' own "
            + "shares (lowest–highest)\n"
        text += Table.render(
            [
                "server", "request", "connections", "requests/s", "p50 ms", "p99 ms", "of its trivial route",
                "server CPU µs/request", "errors",
            ],
            rows)
        var downloads: [[String]] = []
        for load in figures.loads where load.server == "snapdepot" && load.request.hasPrefix("download") {
            let nginx = find("nginx", load.request, load.connections)
            let fake = find("fakestore", load.request, load.connections)
            downloads.append([
                load.request, String(load.connections), String(format: "%.0f", load.mebibytesPerSecond),
                nginx.map { String(format: "%.0f", $0.mebibytesPerSecond) } ?? "n/a",
                fake.map { String(format: "%.0f", $0.mebibytesPerSecond) } ?? "n/a",
                // Rounds keep request rates: both served the same bytes (checked before the loads), so
                // their ratio is the ratio of MiB/s.
                nginx.map { RoundRatio(load, against: $0).percent } ?? "n/a",
            ])
        }
        text += "\n\ndownloads, MiB/s\n"
        text += Table.render(
            ["download", "connections", "snapdepot", "nginx", "fakestore", "snapdepot of nginx"], downloads)
        let memory = figures.serverMemory.sorted { $0.key < $1.key }
            .map { "\($0.key) \(String(format: "%.0f", Double($0.value) / Double(1 << 20))) MiB" }
        text += "\n\nsnapdepot serve resident memory: " + memory.joined(separator: ", ")
        if !figures.replicaLoads.isEmpty {
            var scaling: [[String]] = []
            for load in figures.replicaLoads {
                let single = figures.replicaLoads.first { $0.request == load.request }
                scaling.append([
                    load.server, load.request, String(format: "%.0f", load.requestsPerSecond),
                    String(format: "%.2f", load.p99Milliseconds),
                    single.map { String(format: "%.2f×", load.requestsPerSecond / $0.requestsPerSecond) } ?? "",
                ])
            }
            text += "\n\nreplicas on one catalogue, 64 connections split among them (one wrk per replica)\n"
            text += Table.render(["replicas", "request", "requests/s", "worst p99 ms", "of one replica"], scaling)
        }
        return text
    }
}
