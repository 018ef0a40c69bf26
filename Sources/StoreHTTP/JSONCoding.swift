import Foundation
import Hummingbird
import StoreCore

/// Responses and request bodies of the admin API, in `WireJSON`'s kebab-case form.
enum JSONCoding {
    static let encoder = WireJSON.encoder

    static func response<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Reads a JSON request body of at most 1 MiB.
    static func decode<Value: Decodable>(_ type: Value.Type, from request: Request) async throws -> Value {
        var request = request
        let buffer = try await request.collectBody(upTo: 1 << 20)
        return try WireJSON.decoder.decode(type, from: Data(buffer: buffer))
    }
}
