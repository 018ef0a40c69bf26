import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import StoreTestSupport
import Testing

/// Bad device requests get a 4xx in snapd's `error-list` format, never a 500; every answer says
/// which store API level it speaks and which request id its log lines carry.
@Suite struct DeviceErrorTests {
    struct Answer {
        let status: Int
        let headers: [String: String]
        let body: [String: Any]

        var firstError: [String: Any]? { (body["error-list"] as? [[String: Any]])?.first }
        var results: [[String: Any]] { body["results"] as? [[String: Any]] ?? [] }
    }

    func post(_ server: ServerProcess, _ path: String, _ body: ByteBuffer) async throws -> Answer {
        var request = HTTPClientRequestBuilder.make(server.url + path, method: .POST)
        request.headers.add(name: "Snap-Device-Architecture", value: "amd64")
        request.body = .bytes(body)
        let (status, headers, data) = try await HTTPClientRequestBuilder.execute(request)
        let object = (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
        return Answer(status: status, headers: headers, body: object)
    }

    @Test func badSnapActionsAreRefusedInSnapdsFormat() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let server = try ServerProcess(data: fixture.folder.appendingPathComponent("served").path)
        defer { server.stop() }

        let malformed = try await post(server, "/v2/snaps/refresh", ByteBuffer(string: "{\"context\": ["))
        #expect(malformed.status == 400)
        #expect(malformed.firstError?["code"] as? String == "invalid-request")

        let wrongShape = try await post(server, "/v2/snaps/refresh", ByteBuffer(string: #"{"context": "none"}"#))
        #expect(wrongShape.status == 400)
        #expect((wrongShape.firstError?["message"] as? String)?.contains("context") == true)
        for body in ["[]", #"{"context": [{"snap-id": 5}], "actions": []}"#] {
            let refused = try await post(server, "/v2/snaps/refresh", ByteBuffer(string: body))
            #expect(refused.status == 400, "\(body)")
            #expect(refused.firstError?["code"] as? String == "invalid-request", "\(body)")
        }

        let unknown = try await post(
            server, "/v2/snaps/refresh", ByteBuffer(string: #"{"context": [], "actions": [{"action": "explode"}]}"#))
        #expect(unknown.status == 400)
        #expect((unknown.firstError?["message"] as? String)?.contains("explode") == true)

        let oversized = try await post(
            server, "/v2/snaps/refresh", ByteBuffer(repeating: UInt8(ascii: " "), count: 5 << 20))
        #expect(oversized.status == 413)
        #expect(oversized.firstError?["code"] as? String == "too-large")

        // Per-action problems are results, not request failures, as in the real store.
        let perAction = try await post(
            server, "/v2/snaps/refresh",
            ByteBuffer(
                string: #"""
                    {"context": [], "actions": [
                      {"action": "download", "instance-key": "download-1", "name": "nope", "epoch": null},
                      {"action": "refresh", "instance-key": "missing", "snap-id": "nothing-here"}]}
                    """#))
        #expect(perAction.status == 200)
        let codes = perAction.results.compactMap { ($0["error"] as? [String: Any])?["code"] as? String }
        #expect(codes == ["name-not-found", "id-not-found"])
        #expect(perAction.results.first?["instance-key"] as? String == "download-1")
        #expect(perAction.results.first?["name"] as? String == "nope")

        for answer in [malformed, wrongShape, unknown, oversized, perAction] {
            #expect(answer.headers["snap-store-version"] == "51")
            #expect(answer.headers["x-request-id"]?.isEmpty == false)
        }
    }

    @Test func unknownPathsAndAssertionsAnswerNotFoundInTheErrorFormat() async throws {
        let fixture = try await StoreFixture.make()
        defer { fixture.cleanUp() }
        let server = try ServerProcess(data: fixture.folder.appendingPathComponent("served").path)
        defer { server.stop() }
        let path = try await server.request(.GET, "/v2/no-such-endpoint")
        #expect(path.status == 404)
        #expect(((try path.json()["error-list"] as? [[String: Any]])?.first?["code"] as? String) == "not-found")
        let assertion = try await server.request(.GET, "/v2/assertions/account/nobody")
        #expect(assertion.status == 404)
        #expect(((try assertion.json()["error-list"] as? [[String: Any]])?.first?["code"] as? String) == "not-found")
        let badType = try await server.request(.GET, "/v2/assertions/no-such-type/x")
        #expect((400..<500).contains(badType.status))
    }
}
