import Assertions
import Hummingbird
import StoreCore
import StoreProtocol

/// The serial vault, at both places snapd looks for one (`overlord/devicestate/handlers_serial.go`):
/// the store's `api/v1/snaps/auth/` (`request-id`, `devices`) and a gadget `device-service.url`
/// pointing at `/serial-vault/` (`request-id`, `serial`).
struct SerialVaultRoutes {
    let store: SnapStore

    func add(to router: Router<StoreRequestContext>) {
        for (base, serialPath) in [("api/v1/snaps/auth", "devices"), ("serial-vault", "serial")] {
            router.post("\(base)/request-id", use: requestID)
            router.post("\(base)/\(serialPath)", use: serial)
        }
    }

    @Sendable func requestID(_ request: Request, context: StoreRequestContext) async throws -> Response {
        try JSONBody.response(SerialRequestID(requestID: try await store.issueSerialRequestID()))
    }

    struct Pending: Encodable {
        let message: String
    }

    @Sendable func serial(_ request: Request, context: StoreRequestContext) async throws -> Response {
        let contentType = request.headers[.contentType] ?? ""
        guard contentType.hasPrefix("application/x.ubuntu.assertion") else {
            throw APIError(
                .unsupportedMediaType, code: "invalid-request",
                "a serial request is an assertion stream: send Content-Type application/x.ubuntu.assertion")
        }
        let capabilities = DeviceAuthenticator.header(
            request, DeviceAuthenticator.headerNames("Snap-Device-Capabilities", "X-Snap-Device-Capabilities"))
        var request = request
        let body = try await request.collectBody(upTo: 1 << 20)
        let apiKey = DeviceAuthenticator.header(request, DeviceAuthenticator.headerNames(VaultPolicy.apiKeyHeader))
        switch try await store.requestSerial(Array(body.readableBytesView), apiKey: apiKey) {
        case .pending(let retryAfter):
            var response = try JSONBody.response(
                Pending(message: "the serial request is waiting for approval; retry in \(retryAfter) s"),
                status: .accepted)
            response.headers[.retryAfter] = String(retryAfter)
            return response
        case .issued(let serial, let chain):
            // snapd older than serial-stream reads one assertion only.
            let streams = capabilities?.split(separator: " ").contains("serial-stream") ?? false
            let bytes = streams ? AssertionStream.encode([serial] + chain) : serial.encoded
            return Response(
                status: .ok, headers: [.contentType: "application/x.ubuntu.assertion"],
                body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
    }
}
