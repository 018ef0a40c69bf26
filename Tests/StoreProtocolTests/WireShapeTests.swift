import Foundation
import SnapFiles
import StoreProtocol
import Testing

/// The typed wire carries snapd's keys and reads back what it writes, so the device side can
/// decode exactly what the store encodes.
@Suite struct WireShapeTests {
    static let snap = StoreSnap(
        name: "hello", snapID: "helloid", revision: 3, version: "1.0", type: "app", base: "core22",
        confinement: "strict", epoch: .zero, architectures: ["amd64"],
        download: .init(sha3_384: "abc", size: 4096, url: "http://store/api/v1/snaps/download/helloid_3.snap"),
        publisher: SnapPublisher(id: "acme", username: "acme", displayName: "ACME", validation: "verified"),
        summary: "s", description: "d", title: "Hello", license: "MIT", isPrivate: false,
        createdAt: "2026-11-30T00:00:00+00:00", snapYAML: "name: hello\n")

    func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func snapActionResultsUseSnapdsKeys() throws {
        let response = SnapActionResponse(results: [
            .snap(
                .refresh, instanceKey: "helloid", snap: Self.snap, effectiveChannel: "latest/stable",
                redirectChannel: nil),
            .failure(instanceKey: "k", name: "gone", snapID: "", .init(code: "name-not-found", message: "no")),
        ])
        let data = try WireJSON.literalEncoder.encode(response)
        let results = try #require(try object(data)["results"] as? [[String: Any]])
        #expect(results[0]["instance-key"] as? String == "helloid")
        #expect(results[0]["effective-channel"] as? String == "latest/stable")
        let snap = try #require(results[0]["snap"] as? [String: Any])
        #expect((snap["download"] as? [String: Any])?["sha3-384"] as? String == "abc")
        #expect((snap["publisher"] as? [String: Any])?["display-name"] as? String == "ACME")
        #expect(snap["snap-yaml"] as? String == "name: hello\n" && snap["private"] as? Bool == false)
        #expect((snap["epoch"] as? [String: Any])?["read"] as? [Int] == [0])
        #expect((results[1]["error"] as? [String: Any])?["code"] as? String == "name-not-found")
        #expect(results[1]["snap"] == nil, "an error result carries no snap")
        #expect(String(decoding: data, as: UTF8.self).contains("http://store/api"), "slashes stay unescaped")
        #expect(try WireJSON.literalDecoder.decode(SnapActionResponse.self, from: data) == response)
    }

    @Test func aRequestRoundTrips() throws {
        let request = SnapActionRequest(
            context: [
                .init(snapID: "helloid", instanceKey: "helloid", revision: 2, trackingChannel: "stable", epoch: .zero)
            ],
            actions: [.init(.refresh, instanceKey: "helloid", snapID: "helloid")], fields: ["download"])
        let data = try WireJSON.literalEncoder.encode(request)
        let context = try #require((try object(data)["context"] as? [[String: Any]])?.first)
        #expect(context["tracking-channel"] as? String == "stable" && context["snap-id"] as? String == "helloid")
        #expect(try WireJSON.literalDecoder.decode(SnapActionRequest.self, from: data) == request)
        #expect(request.actions[0].kind == .refresh)
    }

    @Test func errorListsAreWrittenInBothSpellingsAndReadFromEither() throws {
        let data = try WireJSON.literalEncoder.encode(ErrorList(code: "not-found", message: "gone"))
        let object = try object(data)
        #expect(object["error-list"] != nil && object["error_list"] != nil)
        let snake = #"{"error_list": [{"code": "c", "message": "m"}]}"#
        #expect(try WireJSON.literalDecoder.decode(ErrorList.self, from: Data(snake.utf8)).summary == "m (c)")
    }

    @Test func infoEntriesFlattenTheSnapBesideItsChannel() throws {
        let info = SnapInfo(
            name: "hello", snapID: "helloid",
            channelMap: [
                .init(
                    snap: Self.snap,
                    channel: .init(
                        architecture: "amd64", channel: Channel(risk: .stable),
                        releasedAt: "2026-11-30T00:00:00+00:00"))
            ],
            snap: .init(
                name: "hello", snapID: "helloid", summary: "s", description: "d", title: "Hello", license: "MIT",
                publisher: Self.snap.publisher))
        let data = try WireJSON.literalEncoder.encode(info)
        let entry = try #require((try object(data)["channel-map"] as? [[String: Any]])?.first)
        #expect(entry["revision"] as? Int == 3, "storeInfoChannelSnap embeds storeSnap's fields")
        #expect((entry["channel"] as? [String: Any])?["name"] as? String == "latest/stable")
        #expect(try WireJSON.literalDecoder.decode(SnapInfo.self, from: data) == info)
    }
}
