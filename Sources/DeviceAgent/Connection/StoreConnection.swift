import Assertions
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StoreProtocol

/// The device API as a device reaches it (snapd's `store/` package): the headers snapd sends, the
/// calls a device makes (request-id, serial, nonce, session, snap actions, assertions, downloads),
/// and the store's `error-list` turned into one line. `image build` uses it too: a seed is fetched
/// as a device of the model would fetch its snaps.
public struct StoreConnection: Sendable {
    /// The one HTTP client of the device side and the CLI. A store that is not there fails after
    /// the connect timeout; with the shared client's defaults, refused connections are retried
    /// until the request's own deadline (an hour for downloads).
    public static let http: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout.connect = .seconds(10)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// What one request got back; the status is the answer, not an error.
    public struct Answer: Sendable {
        public let status: Int
        public let body: Data
        public let headers: HTTPHeaders

        /// The store's own words for a refusal: its `error-list`, or the status.
        public var refusal: String {
            if let list = try? WireJSON.literalDecoder.decode(ErrorList.self, from: body), !list.entries.isEmpty {
                return "\(list.summary), HTTP \(status)"
            }
            struct Message: Decodable { let message: String }
            if let message = try? WireJSON.literalDecoder.decode(Message.self, from: body) {
                return "\(message.message) (HTTP \(status))"
            }
            return "HTTP \(status)"
        }
    }

    /// How snapd's store client tries a request again (`store/store.go` `defaultRetryStrategy`,
    /// `httputil/retry.go`): network errors, timeouts and HTTP 5xx, up to `attempts` tries, waits
    /// growing from `firstWait` by `factor`, within `budget` seconds in all.
    public struct RetryStrategy: Sendable {
        public var attempts: Int
        public var firstWait: Double
        public var factor: Double
        public var budget: Double

        public init(attempts: Int, firstWait: Double, factor: Double, budget: Double) {
            self.attempts = attempts
            self.firstWait = firstWait
            self.factor = factor
            self.budget = budget
        }

        public static let snapd = RetryStrategy(attempts: 6, firstWait: 0.5, factor: 2.5, budget: 38)
        public static let once = RetryStrategy(attempts: 1, firstWait: 0, factor: 1, budget: 0)
    }

    public let baseURL: String
    /// Tries of each API request (not downloads, which resume instead).
    public var retry = RetryStrategy.snapd
    /// snapd gives each store API request ten seconds (`requestTimeout`).
    public var requestTimeout: TimeAmount = .seconds(10)
    /// `Snap-Device-Architecture`: the architecture snaps are chosen for.
    public var architecture: String?
    /// `Snap-Device-Store`: the brand store of the device's model, if any.
    public var storeID: String?
    /// `Snap-Device-Authorization`: the device session's macaroon, once opened.
    public var deviceSession: String?
    /// Where each exchange is counted, if anywhere.
    public var tally: TrafficTally?

    public init(baseURL: String, architecture: String? = nil, storeID: String? = nil, deviceSession: String? = nil) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.architecture = architecture
        self.storeID = storeID
        self.deviceSession = deviceSession
    }

    /// One request to the store with the device's headers.
    public func send(
        _ path: String, method: HTTPMethod = .GET, body: Data? = nil, query: [String: String] = [:],
        headers: [String: String] = [:], limit: Int = 16 << 20
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url(path, query: query))
        request.method = method
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        request.headers = deviceHeaders(architectureHeader: "Snap-Device-Architecture", extra: headers)
        let started = Date()
        var wait = retry.firstWait
        var attempt = 1
        while true {
            do {
                let response = try await Self.http.execute(request, timeout: requestTimeout)
                let data = Data((try await response.body.collect(upTo: limit)).readableBytesView)
                let answer = Answer(status: Int(response.status.code), body: data, headers: response.headers)
                tally?.count(method: method.rawValue, path: path, status: answer.status, bodyBytes: data.count)
                guard answer.status >= 500, more(attempt, wait, started) else { return answer }
            } catch {
                guard more(attempt, wait, started) else {
                    throw DeviceAgentError(
                        "cannot reach the store at \(baseURL) (\(attempt) tr\(attempt == 1 ? "y" : "ies")): \(error)")
                }
            }
            try await Task.sleep(for: .seconds(wait))
            wait *= retry.factor
            attempt += 1
        }
    }

    /// Whether another try fits the retry strategy after `attempt` tries and a wait of `wait`.
    private func more(_ attempt: Int, _ wait: Double, _ started: Date) -> Bool {
        attempt < retry.attempts && Date().timeIntervalSince(started) + wait <= retry.budget
    }

    /// The device's headers (architecture, brand store, session), then `extra` over them.
    func deviceHeaders(architectureHeader: String, extra: [String: String]) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if let architecture { headers.add(name: architectureHeader, value: architecture) }
        if let storeID, !storeID.isEmpty { headers.add(name: "Snap-Device-Store", value: storeID) }
        if let deviceSession {
            headers.add(name: "Snap-Device-Authorization", value: "Macaroon root=\"\(deviceSession)\"")
        }
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        return headers
    }

    func url(_ path: String, query: [String: String]) -> String {
        var components = URLComponents(string: baseURL + path)
        if !query.isEmpty {
            components?.queryItems = query.sorted { $0.key < $1.key }.map {
                URLQueryItem(name: $0.key, value: $0.value)
            }
        }
        return components?.string ?? baseURL + path
    }

    /// `POST /v2/snaps/refresh` with snapd's body. A 401 asking for a new device session is
    /// `DeviceAgentError.sessionExpired`, so the caller can open one and ask again, as snapd does.
    public func snapAction(_ action: SnapActionRequest, headers: [String: String] = [:]) async throws
        -> SnapActionResponse
    {
        let answer = try await send(
            "/v2/snaps/refresh", method: .POST, body: try WireJSON.literalEncoder.encode(action),
            headers: headers.merging(["Content-Type": "application/json", "Accept": "application/json"]) { $1 })
        if answer.status == 401,
            answer.headers.first(name: "WWW-Authenticate")?.contains("refresh_device_session") == true
        {
            throw DeviceAgentError.sessionExpired
        }
        guard answer.status == 200 else { throw DeviceAgentError("the snap action failed: \(answer.refusal)") }
        do {
            return try WireJSON.literalDecoder.decode(SnapActionResponse.self, from: answer.body)
        } catch {
            throw DeviceAgentError("the store's snap-action answer is not snapd's shape: \(error)")
        }
    }

    /// New cohort keys for these snaps (`POST /v2/cohorts`, snapd's `CreateCohorts`), by name.
    public func createCohorts(_ names: [String]) async throws -> [String: String] {
        struct Keys: Decodable {
            let cohortKeys: [String: String]
            enum CodingKeys: String, CodingKey { case cohortKeys = "cohort-keys" }
        }
        let answer = try await send(
            "/v2/cohorts", method: .POST, body: try JSONSerialization.data(withJSONObject: ["snaps": names]),
            headers: ["Content-Type": "application/json"])
        guard answer.status == 200 else { throw DeviceAgentError("cannot create a cohort: \(answer.refusal)") }
        return try WireJSON.literalDecoder.decode(Keys.self, from: answer.body).cohortKeys
    }

    /// Tells the store how one attempt ended (`POST /snapdepot/v1/attempts`, under the session).
    public func reportAttempt(_ report: AttemptReport) async throws {
        let answer = try await send(
            "/snapdepot/v1/attempts", method: .POST, body: try WireJSON.literalEncoder.encode(report),
            headers: ["Content-Type": "application/json"])
        guard answer.status / 100 == 2 else { throw DeviceAgentError("the attempt report: \(answer.refusal)") }
    }

    /// The assertions at a stream URL a `fetch-assertions` result named.
    public func assertions(at url: String) async throws -> [Assertion] {
        guard url.hasPrefix(baseURL + "/") else {
            throw DeviceAgentError("the store named an assertion stream elsewhere: \(url)")
        }
        let answer = try await send(
            String(url.dropFirst(baseURL.count)), headers: ["Accept": "application/x.ubuntu.assertion"])
        guard answer.status == 200 else { throw DeviceAgentError("fetching \(url): \(answer.refusal)") }
        return try AssertionStream.decode(Array(answer.body))
    }

    /// One assertion from the assertion service; nil when the store does not have it.
    public func assertion(_ reference: AssertionReference) async throws -> Assertion? {
        let answer = try await send(
            "/v2/assertions/\(reference.type.name)/\(reference.primaryKey.joined(separator: "/"))",
            headers: ["Accept": "application/x.ubuntu.assertion"])
        guard answer.status != 404 else { return nil }
        guard answer.status == 200 else {
            throw DeviceAgentError("fetching \(reference.type.name): \(answer.refusal)")
        }
        return try AssertionStream.decode(Array(answer.body)).first
    }

    /// A file at `url` written to `path` as it arrives, fsynced; progress gets bytes so far and the
    /// expected total (0 when unknown). With `resume`, bytes already in `path` are kept and only
    /// the rest is asked for (`Range: bytes=N-`), as snapd resumes its `.partial` files; a store
    /// that answers 200 instead of 206 sends the whole file again. Returns the offset the store
    /// resumed from (0 for a whole download).
    @discardableResult
    public func download(
        _ url: String, to path: String, expectedSize: UInt64 = 0, resume: Bool = false,
        extraHeaders: [String: String] = [:], progress: (@Sendable (UInt64, UInt64) -> Void)? = nil
    ) async throws -> UInt64 {
        let have = resume ? ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? 0) : 0
        var handle: FileHandle?
        var done: UInt64 = 0
        let offset = try await download(
            url, resumingAt: have, expectedSize: expectedSize, extraHeaders: extraHeaders,
            start: { appending in
                let descriptor = open(path, O_WRONLY | O_CREAT | (appending ? O_APPEND : O_TRUNC), 0o600)
                guard descriptor >= 0 else { throw DeviceAgentError("cannot write \(path): errno \(errno)") }
                handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
                done = appending ? have : 0
            },
            receive: { chunk in
                try chunk.withUnsafeReadableBytes { try handle?.write(contentsOf: $0) }
                done += UInt64(chunk.readableBytes)
                progress?(done, expectedSize)
            })
        try handle?.synchronize()
        return offset
    }

    /// A download from byte `have` on (0 for all of it), its bytes handed to `receive` as they
    /// arrive, after `start` is told whether they append to the `have` bytes (the store answered
    /// 206) or replace them (200). Returns the offset the store resumed from.
    public func download(
        _ url: String, resumingAt have: UInt64, expectedSize: UInt64, extraHeaders: [String: String],
        start: (Bool) throws -> Void, receive: (ByteBuffer) throws -> Void
    ) async throws -> UInt64 {
        var request = HTTPClientRequest(url: url)
        // Downloads are v1 requests in snapd: the architecture goes in the older header.
        request.headers = deviceHeaders(architectureHeader: "X-Ubuntu-Architecture", extra: extraHeaders)
        // Whole already (a cut after the last byte): nothing to ask for, as snapd's resume finds.
        if have > 0, have == expectedSize { return have }
        if have > 0 { request.headers.add(name: "Range", value: "bytes=\(have)-") }
        let response: HTTPClientResponse
        do {
            response = try await Self.http.execute(request, timeout: .hours(1))
        } catch {
            throw DeviceAgentError("downloading \(url): cannot reach the store: \(error)")
        }
        var received = 0
        defer {
            tally?.count(
                method: "GET", path: URLComponents(string: url)?.path ?? url, status: Int(response.status.code),
                bodyBytes: received)
        }
        let appending = have > 0 && response.status == .partialContent
        guard response.status == .ok || appending else {
            throw DeviceAgentError("downloading \(url): the store answered \(response.status)")
        }
        try start(appending)
        for try await chunk in response.body {
            received += chunk.readableBytes
            try receive(chunk)
        }
        return appending ? have : 0
    }
}
