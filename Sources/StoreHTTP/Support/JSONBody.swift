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
        let data = try encode(value, dialect: dialect)
        return Response(
            status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The bytes `response` would send for `value`.
    static func encode<Value: Encodable>(_ value: Value, dialect: Dialect = .literal) throws -> Data {
        try (dialect == .admin ? adminEncoder : literalEncoder).encode(value)
    }

    /// A request body of at most `limit` bytes; a body that does not fit the type is a 400 that
    /// says which key was wrong. An empty body decodes as `{}`. The admin API's own bodies are
    /// read strictly: a key it does not know is a 400 naming it, so a misspelt `"is-private"` is
    /// not silently a public snap. snapd's and snapcraft's bodies stay lenient, as the real store
    /// is: their newer releases add keys older stores must ignore.
    static func decode<Value: Decodable>(
        _ type: Value.Type, from request: Request, dialect: Dialect = .literal, limit: Int = 1 << 20
    ) async throws -> Value {
        var request = request
        return try decode(type, from: try await request.collectBody(upTo: limit), dialect: dialect)
    }

    /// A body already read (`decode(_:from:dialect:limit:)`).
    static func decode<Value: Decodable>(_ type: Value.Type, from buffer: ByteBuffer, dialect: Dialect = .literal)
        throws -> Value
    {
        let data = buffer.readableBytes == 0 ? Data("{}".utf8) : Data(buffer: buffer)
        let value: Value
        do {
            value = try (dialect == .admin ? adminDecoder : literalDecoder).decode(type, from: data)
        } catch let error as DecodingError {
            throw APIError(
                .badRequest, code: "invalid-request",
                "the request body is not what this endpoint takes: \(APIError.describe(error))")
        }
        if dialect == .admin, let encodable = value as? any Encodable,
            let unknown = try unknownKey(in: data, decodedAs: adminEncoder.encode(encodable))
        {
            throw APIError(
                .badRequest, code: "invalid-request", "the request body has an unknown key \"\(unknown)\"")
        }
        return value
    }

    /// The first key path of `data` that the decoded value does not carry: what decoding it read
    /// is exactly what encoding it again writes, so a key that is not written back was ignored.
    /// A key given as `null` says nothing and is not counted.
    static func unknownKey(in data: Data, decodedAs decoded: Data) throws -> String? {
        func first(_ given: Any, _ kept: Any, path: String) -> String? {
            if let given = given as? [String: Any] {
                let kept = kept as? [String: Any] ?? [:]
                for key in given.keys.sorted() where !(given[key] is NSNull) {
                    let here = path.isEmpty ? key : "\(path).\(key)"
                    guard let value = kept[key] else { return here }
                    if let found = first(given[key] ?? NSNull(), value, path: here) { return found }
                }
            } else if let given = given as? [Any], let kept = kept as? [Any] {
                for (index, pair) in zip(given, kept).enumerated() {
                    if let found = first(pair.0, pair.1, path: "\(path)[\(index)]") { return found }
                }
            }
            return nil
        }
        let given = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        let kept = try JSONSerialization.jsonObject(with: decoded, options: [.fragmentsAllowed])
        return first(given, kept, path: "")
    }
}
