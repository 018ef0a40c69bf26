import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// `snapdepot serve` as a CI job starts it: a real process on a free loopback port.
final class ServerProcess: @unchecked Sendable {
    let process: Process
    let url: String
    let adminToken: String
    let data: String
    /// What `serve` printed at start.
    let startText: String
    /// Where the server's stdout goes; removed when the process is stopped.
    private let outputFile: String

    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("snapdepot")

    /// `environment` is added to the test's own (e.g. `SNAPDEPOT_CRASH_AT`).
    init(data: String, extraArguments: [String] = [], environment: [String: String] = [:]) throws {
        self.data = data
        process = Process()
        process.executableURL = Self.binary
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        // Deltas made in the background would race what a test checks of whole downloads: a test
        // that wants them says `--deltas`.
        let deltas = extraArguments.contains("--deltas") ? [] : ["--no-deltas"]
        process.arguments =
            ["serve", "--data", data, "--listen", "127.0.0.1:0", "--key-bits", "2048"] + deltas + extraArguments
        // stdout goes to a file, not a pipe: a pipe needs a reader for the server's whole life, and a
        // FileHandle readability handler left on a dead pipe crashed libdispatch when the handle was freed.
        let outputPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("snapdepot-serve-\(UUID().uuidString).out").path
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
            let output = FileHandle(forWritingAtPath: outputPath)
        else { throw ServerError("cannot create \(outputPath)") }
        defer { try? output.close() }
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        let deadline = Date().addingTimeInterval(60)
        while !text.contains("SNAPDEPOT_TOKEN="), process.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        }
        if !text.contains("SNAPDEPOT_TOKEN=") {
            text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? text
        }
        outputFile = outputPath
        func value(_ name: String) -> String? {
            text.split(separator: "\n").first { $0.hasPrefix("export \(name)=") }
                .map { String($0.dropFirst("export \(name)=".count)) }
        }
        guard let url = value("SNAPDEPOT_URL"), let token = value("SNAPDEPOT_TOKEN") else {
            process.terminate()
            throw ServerError("the server did not start: \(text)")
        }
        self.url = url
        startText = text
        adminToken =
            token.hasPrefix("$(")
            ? (try String(contentsOfFile: data + "/admin-token", encoding: .utf8)).trimmingCharacters(
                in: .whitespacesAndNewlines)
            : token
    }

    var isRunning: Bool { process.isRunning }

    func stop(_ signal: Int32 = SIGTERM) {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: outputFile)
    }

    struct Reply {
        let status: Int
        var headers = HTTPHeaders()
        let body: Data
        var text: String { String(decoding: body, as: UTF8.self) }

        func json() throws -> [String: Any] {
            (try JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
        }
    }

    func request(
        _ method: HTTPMethod, _ path: String, token: String? = nil, body: Data? = nil,
        headers: [String: String] = ["Content-Type": "application/json"], timeout: TimeAmount = .seconds(120)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers where body != nil || name != "Content-Type" {
            request.headers.add(name: name, value: value)
        }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let collected = try await response.body.collect(upTo: 64 << 20)
        return Reply(
            status: Int(response.status.code), headers: response.headers, body: Data(collected.readableBytesView))
    }

    func json(_ method: HTTPMethod, _ path: String, token: String?, _ object: [String: Any]) async throws -> Reply {
        try await request(method, path, token: token, body: try JSONSerialization.data(withJSONObject: object))
    }
}

struct ServerError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
