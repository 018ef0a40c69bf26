import AsyncHTTPClient
import ChildProcesses
import Foundation
import NIOCore
import NIOHTTP1

/// Headless Chromium held open through Debian's `chromedriver` (W3C WebDriver on loopback): a page
/// stays loaded while the test changes the store, and the test waits, with a deadline, for what the
/// page shows — instead of guessing how long a one-shot `--dump-dom` should let the page run.
final class BrowserSession: @unchecked Sendable {
    static let driverPath = "/usr/bin/chromedriver"
    static var available: Bool { FileManager.default.isExecutableFile(atPath: driverPath) }

    private let driver: ChildProcess
    private let outputFile: String
    private let base: String
    private let session: String

    private init(driver: ChildProcess, outputFile: String, base: String, session: String) {
        self.driver = driver
        self.outputFile = outputFile
        self.base = base
        self.session = session
    }

    static func open() async throws -> BrowserSession {
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("chromedriver-\(UUID().uuidString).out").path
        // ChildProcess, not Foundation's Process: the child starts with a clean signal mask, which
        // chromedriver needs to see Chromium start.
        let driver = try ChildProcess(driverPath, ["--port=0"], output: .file(outputPath))
        var port: String?
        let deadline = Date().addingTimeInterval(60)
        while port == nil, driver.isRunning, Date() < deadline {
            try await Task.sleep(for: .milliseconds(20))
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            port = text.split(separator: "\n").first { $0.contains("started successfully on port") }?
                .split(separator: " ").last.map { String($0.dropLast()) }
        }
        guard let port else {
            driver.signal(SIGKILL)
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw ServerError("chromedriver did not start: \(text)")
        }
        let base = "http://127.0.0.1:\(port)"
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": "/usr/bin/chromium",
                        "args": [
                            "--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000",
                        ],
                    ],
                ]
            ]
        ]
        do {
            let created = try await call(base, .POST, "/session", capabilities)
            guard let session = created["sessionId"] as? String else {
                throw ServerError("chromedriver made no session: \(created)")
            }
            return BrowserSession(driver: driver, outputFile: outputPath, base: base, session: session)
        } catch {
            driver.signal()
            _ = await driver.ended(timeout: .seconds(30))
            throw error
        }
    }

    func navigate(to url: String) async throws {
        _ = try await Self.call(base, .POST, "/session/\(session)/url", ["url": url])
    }

    /// The text the element with this id shows now (`innerText`), or nil when the page has none.
    func text(ofElement id: String) async throws -> String? {
        let script = "const e = document.getElementById(arguments[0]); return e ? e.innerText : null;"
        let reply = try await Self.call(
            base, .POST, "/session/\(session)/execute/sync", ["script": script, "args": [id]])
        return reply["value"] as? String
    }

    /// Whether the page holds an element matching this CSS selector.
    func has(_ selector: String) async throws -> Bool {
        let script = "return document.querySelector(arguments[0]) !== null;"
        let reply = try await Self.call(
            base, .POST, "/session/\(session)/execute/sync", ["script": script, "args": [selector]])
        return reply["value"] as? Bool ?? false
    }

    /// Polls `condition` until it holds or `deadline` passes; the last value read either way.
    func wait<T>(
        upTo deadline: Duration = .seconds(120), _ read: () async throws -> T, until condition: (T) -> Bool
    ) async throws -> T {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        var value = try await read()
        while !condition(value), clock.now < end {
            try await Task.sleep(for: .milliseconds(200))
            value = try await read()
        }
        return value
    }

    func close() async {
        _ = try? await Self.call(base, .DELETE, "/session/\(session)", nil)
        driver.signal()
        _ = await driver.ended(timeout: .seconds(30))
        try? FileManager.default.removeItem(atPath: outputFile)
    }

    private static func call(
        _ base: String, _ method: HTTPMethod, _ path: String, _ body: [String: Any]?
    ) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let collected = try await response.body.collect(upTo: 16 << 20)
        let object = (try? JSONSerialization.jsonObject(with: Data(collected.readableBytesView))) as? [String: Any]
        let value = object?["value"]
        if response.status.code >= 400 || (value as? [String: Any])?["error"] != nil {
            throw ServerError("WebDriver \(method) \(path): \(response.status) \(object ?? [:])")
        }
        // A new session answers {value: {sessionId, capabilities}}; every other call {value: …}.
        if let inner = value as? [String: Any], inner["sessionId"] != nil { return inner }
        return ["value": value ?? NSNull()]
    }
}
