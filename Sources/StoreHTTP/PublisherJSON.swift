import Foundation
import Hummingbird

/// The publisher API's JSON: its keys are snapcraft's own (snake_case on dashboard paths,
/// kebab-case on `/v1` paths), so bodies are read and written as plain JSON objects.
enum PublisherJSON {
    static func object(_ request: Request) async throws -> [String: Any] {
        var request = request
        let buffer = try await request.collectBody(upTo: 4 << 20)
        guard buffer.readableBytes > 0 else { return [:] }
        guard let object = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [String: Any] else {
            throw APIError(.badRequest, code: "invalid-request", "the body must be a JSON object")
        }
        return object
    }

    static func array(_ request: Request) async throws -> [[String: Any]] {
        var request = request
        let buffer = try await request.collectBody(upTo: 4 << 20)
        guard let array = try? JSONSerialization.jsonObject(with: Data(buffer: buffer)) as? [[String: Any]] else {
            throw APIError(.badRequest, code: "invalid-request", "the body must be a JSON array of objects")
        }
        return array
    }

    static func response(_ value: Any, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try JSONObjectWriter.data(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func string(_ object: [String: Any], _ key: String) throws -> String {
        guard let value = object[key] as? String, !value.isEmpty else {
            throw APIError(.badRequest, code: "invalid-request", "\"\(key)\" is required")
        }
        return value
    }

    /// ISO 8601 with seconds and an explicit offset, as the store writes times.
    static func time(_ seconds: Int64) -> String {
        // By hand: a new ISO8601DateFormatter per call cost a twelfth of every refresh.
        var clock = time_t(seconds)
        var parts = tm()
        gmtime_r(&clock, &parts)
        func digits(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(digits(parts.tm_year + 1900, 4))-\(digits(parts.tm_mon + 1, 2))-\(digits(parts.tm_mday, 2))T"
            + "\(digits(parts.tm_hour, 2)):\(digits(parts.tm_min, 2)):\(digits(parts.tm_sec, 2))+00:00"
    }
}
