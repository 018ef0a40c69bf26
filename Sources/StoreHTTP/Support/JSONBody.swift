import Foundation
import Hummingbird
import StoreProtocol

/// Request and response bodies as JSON, in the dialect of the API they belong to: the admin API's
/// derived kebab-case keys, or the literal keys of snapd's and snapcraft's own types (`WireJSON`).
enum JSONBody {
    enum Dialect {
        case admin
        case literal
    }

    // Built once: coders are classes whose configuration is only read per call.
    private static let adminEncoder = WireJSON.encoder
    private static let literalEncoder = WireJSON.literalEncoder
    private static let adminDecoder = WireJSON.decoder
    private static let literalDecoder = WireJSON.literalDecoder

    /// An answer; snapd compares the content type exactly, so no charset is added.
    static func response<Value: Encodable>(
        _ value: Value, status: HTTPResponse.Status = .ok, dialect: Dialect = .literal,
        contentType: String = "application/json"
    ) throws -> Response {
        let data = try (dialect == .admin ? adminEncoder : literalEncoder).encode(value)
        return Response(
            status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A request body of at most `limit` bytes; a body that does not fit the type is a 400 that
    /// says which key was wrong. An empty body decodes as `{}`.
    static func decode<Value: Decodable>(
        _ type: Value.Type, from request: Request, dialect: Dialect = .literal, limit: Int = 1 << 20
    ) async throws -> Value {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        let data = buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer: buffer)
        do {
            return try (dialect == .admin ? adminDecoder : literalDecoder).decode(type, from: data)
        } catch let error as DecodingError {
            throw APIError(
                .badRequest, code: "invalid-request",
                "the request body is not what this endpoint takes: \(APIError.describe(error))")
        }
    }
}
