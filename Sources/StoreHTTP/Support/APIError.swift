import Assertions
import Foundation
import Hummingbird
import SnapFiles
import StoreCore
import StoreProtocol

/// Every failure leaves the server as snapd's `error-list` JSON, with a status that says what kind.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: String
    let message: String
    let contentType: String
    let extraHeaders: HTTPFields

    init(
        _ status: HTTPResponse.Status, code: String, _ message: String, contentType: String = "application/json",
        extraHeaders: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.contentType = contentType
        self.extraHeaders = extraHeaders
    }

    init(_ error: any Error) {
        switch error {
        case let api as APIError:
            self = api
        case let store as StoreError:
            let status: HTTPResponse.Status =
                switch store.kind {
                case .invalid: .badRequest
                case .unauthorized: .unauthorized
                case .forbidden: .forbidden
                case .notFound: .notFound
                case .conflict: .conflict
                case .tooLarge: .contentTooLarge
                case .internalError: .internalServerError
                case .unavailable: .serviceUnavailable
                }
            self.init(status, code: store.code ?? store.kind.rawValue, store.message)
        case let assertion as AssertionError:
            self.init(.badRequest, code: "invalid-assertion", assertion.message)
        case let snap as SnapFileError:
            self.init(.badRequest, code: "invalid-snap", snap.message)
        case let response as any HTTPResponseError:
            // Hummingbird's own errors, such as a body over its size limit.
            let code = response.status == .contentTooLarge ? "too-large" : "invalid-request"
            self.init(response.status, code: code, "\(response.status.code) \(response.status.reasonPhrase)")
        case let decoding as DecodingError:
            self.init(
                .badRequest, code: "invalid-request",
                "the request body is not what this endpoint takes: \(Self.describe(decoding))")
        default:
            self.init(.internalServerError, code: "internal-error", "\(error)")
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = (try? WireJSON.literalEncoder.encode(ErrorList(code: code, message: message))) ?? Data()
        var headers = extraHeaders
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): "missing \"\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            context.codingPath.map(\.stringValue).joined(separator: ".") + ": " + context.debugDescription
        @unknown default: "\(error)"
        }
    }
}
