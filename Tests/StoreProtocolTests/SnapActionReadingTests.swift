import Foundation
import SnapFiles
import Testing

@testable import StoreProtocol

/// The route's fast reader of snap-action bodies (`SnapActionRequest(reading:)`) against the
/// reference, `JSONDecoder`: the same value for what snapd sends, and a refusal (so the route asks
/// the decoder) for everything it does not read the same way.
@Suite struct SnapActionReadingTests {
    func decoded(_ body: String) -> SnapActionRequest? {
        try? WireJSON.literalDecoder.decode(SnapActionRequest.self, from: Data(body.utf8))
    }

    func fastRead(_ body: String) -> SnapActionRequest? {
        try? SnapActionRequest(reading: Array(body.utf8))
    }

    /// Requests as snapd and the agent write them: every field the type carries, both epoch forms.
    static let written: [SnapActionRequest] = [
        SnapActionRequest(
            context: [
                .init(
                    snapID: "abcdefghijklmnopqrstuvwxyz012345", instanceKey: "abcdefghijklmnopqrstuvwxyz012345",
                    revision: 7, trackingChannel: "latest/stable", epoch: Epoch(read: [0], write: [0]),
                    refreshedDate: "2026-11-01T00:00:00Z")
            ],
            actions: [
                .init(
                    .refresh, instanceKey: "abcdefghijklmnopqrstuvwxyz012345",
                    snapID: "abcdefghijklmnopqrstuvwxyz012345")
            ],
            fields: SnapActionRequest.snapdFields),
        SnapActionRequest(
            context: [
                .init(
                    snapID: "id1", instanceKey: "app_foo", revision: 3, trackingChannel: nil,
                    epoch: Epoch(read: [1, 2], write: [2]), ignoreValidation: true, cohortKey: "MSBzZWNyZXQ",
                    validationSets: [["16", "acme", "base-set"], ["16", "acme", "extra", "3"]])
            ],
            actions: [
                .init(
                    .install, instanceKey: "install-1", name: "hello-wörld", channel: "2.0/edge/fix-ß", revision: 12,
                    cohortKey: "c", epoch: Epoch(read: [0], write: [0]), ignoreValidation: false,
                    validationSets: [["16", "acme", "base-set"]]),
                .init(.download, instanceKey: "download-1", name: "core22"),
                .init(
                    .fetchAssertions, key: "g1",
                    assertions: [
                        .init(type: "snap-declaration", primaryKey: ["16", "id1"], ifNewerThan: 4),
                        .init(
                            type: "validation-set", sequenceKey: ["16", "acme", "base-set"], sequence: 2,
                            ifSequenceEqualOrNewerThan: 1),
                    ]),
            ],
            fields: ["download"], assertionMaxFormats: ["snap-declaration": 5, "system-user": 2]),
        SnapActionRequest(context: [], actions: []),
    ]

    @Test(arguments: written) func readsWhatSnapdWritesAsTheDecoderDoes(request: SnapActionRequest) throws {
        let body = try WireJSON.literalEncoder.encode(request)
        let read = try SnapActionRequest(reading: Array(body))
        #expect(read == request)
        #expect(try WireJSON.literalDecoder.decode(SnapActionRequest.self, from: body) == read)
    }

    /// Hand-written bodies: spacing, nulls for optional keys, unknown keys, the short epoch form.
    @Test func readsLooseButValidBodiesAsTheDecoderDoes() throws {
        let bodies = [
            #" { "context" : [ { "snap-id" : "a" , "instance-key" : "a" , "revision" : -1 , "epoch" : null , "tracking-channel" : null } ] , "actions" : [ { "action" : "refresh" , "snap-id" : "a" , "instance-key" : "a" , "new-key" : { "x" : [ true , false , null ] } } ] } "#,
            #"{"context":[{"snap-id":"a","instance-key":"a","revision":2,"epoch":"5*"}],"actions":[],"fields":null}"#,
            #"{"context":[{"snap-id":"a","instance-key":"a","revision":2,"epoch":{"write":[3]}}],"actions":[],"assertion-max-formats":{}}"#,
            "{\"context\":[],\"actions\":[{\"action\":\"no-such-action\"}]}\n",
            // Text past the first eight bytes of a string, where the reader takes whole words.
            #"{"context":[],"actions":[{"action":"install","name":"a-long-snap-name-é-★-and-more"}]}"#,
        ]
        for body in bodies {
            let read = try #require(fastRead(body), "refused: \(body)")
            #expect(read == decoded(body), "\(body)")
        }
    }

    /// Integers read digit by digit: the edges of `Int` read as the decoder reads them, and one
    /// past them is left to the decoder.
    @Test func readsIntegersToTheEdgesOfIntAsTheDecoderDoes() throws {
        func body(_ number: String) -> String {
            #"{"context":[{"snap-id":"a","instance-key":"a","revision":\#(number)}],"actions":[]}"#
        }
        for number in ["0", "-0", "7", "-1", "42000", "9223372036854775807", "-9223372036854775808"] {
            let read = try #require(fastRead(body(number)), "refused: \(number)")
            #expect(read.context.first?.revision == Int(number), "\(number)")
            #expect(read == decoded(body(number)), "\(number)")
        }
        for number in ["9223372036854775808", "-9223372036854775809", "99999999999999999999", "-", "1e3", "1.5"] {
            #expect(fastRead(body(number)) == nil, "\(number)")
        }
    }

    /// What the reader leaves to the decoder (escapes, fractions, repeated keys), which reads them.
    @Test func refusesWhatItDoesNotReadTheSameWay() {
        let bodies = [
            #"{"context":[],"actions":[{"action":"install","name":"caf\u00e9"}]}"#,
            #"{"context":[],"actions":[{"action":"install","name":"sixteen-letters-\u00e9"}]}"#,
            #"{"context":[{"snap-id":"a","instance-key":"a","revision":2.0}],"actions":[]}"#,
            #"{"context":[],"actions":[],"context":[]}"#,
            // Repeated keys deeper down, known and unknown, and an unknown member holding a fraction.
            #"{"context":[{"snap-id":"a","instance-key":"a","revision":1,"snap-id":"b"}],"actions":[]}"#,
            #"{"context":[],"actions":[{"action":"refresh","x":1,"x":2}]}"#,
            #"{"context":[],"actions":[],"assertion-max-formats":{"snap-declaration":1,"snap-declaration":2}}"#,
            #"{"context":[{"snap-id":"a","instance-key":"a","revision":1,"epoch":{"read":[1],"read":[2]}}],"actions":[]}"#,
            #"{"context":[],"actions":[{"action":"refresh","x":{"y":[1.5]}}]}"#,
            // Foundation's decoder takes a comma before the closing brace; JSON does not.
            #"{"context":[],"actions":[{"action":"refresh",}]}"#,
        ]
        for body in bodies {
            #expect(fastRead(body) == nil, "\(body)")
            #expect(decoded(body) != nil, "\(body)")
        }
    }

    /// Bodies neither reads: the route's error then comes from the decoder, worded as before.
    @Test func refusesWhatTheDecoderRefuses() {
        let nested = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let bodies = [
            "", "{}", "[]", "null", #"{"context":[],"actions":[]"#, #"{"context":[],"actions":[]}x"#,
            #"{"context":[{"snap-id":"a","instance-key":"a","revision":01}],"actions":[]}"#,
            #"{"context":[{"snap-id":"a","revision":1}],"actions":[]}"#,
            #"{"context":[{"snap-id":"a","instance-key":"a","revision":"1"}],"actions":[]}"#,
            #"{"context":[{"snap-id":"a","instance-key":"a","revision":1,"epoch":"0*"}],"actions":[]}"#,
            #"{"context":[{"snap-id":"a","instance-key":"a","revision":1,"epoch":{"read":[-1]}}],"actions":[]}"#,
            #"{"context":null,"actions":[]}"#, #"{"context":[],"actions":[{"snap-id":"a"}]}"#,
            #"{"context":[],"actions":[],"fields":[1]}"#, #"{"context":[],"actions":[], "x": \#(nested)}"#,
            "{\"context\":[],\"actions\":[{\"action\":\"a\tb\"}]}",
            "{\"context\":[],\"actions\":[{\"action\":\"ten-bytes-\tand-a-tab\"}]}",
            #"{"context":[],"actions":[{"action":"refresh","x":[1,]}]}"#,
            #"{"context":[],"actions":[{"action":"refresh","x":tru}]}"#,
            #"{"context":[],"actions":[{"action":"refresh"} ]"#,
        ]
        for body in bodies {
            #expect(fastRead(body) == nil, "\(body)")
            #expect(decoded(body) == nil || body.contains("\"x\""), "\(body)")
        }
    }

    /// The reader passes over eight bytes of a string at once only when a byte-by-byte look would
    /// pass every one of them: any single byte changed in a word, and random words.
    @Test func takesWholeWordsOfAStringExactlyWhenEveryByteIsPlainText() {
        func plain(_ byte: UInt8) -> Bool { byte >= 0x20 && byte < 0x80 && byte != 0x22 && byte != 0x5C }
        func word(_ bytes: [UInt8]) -> UInt64 { bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } }
        for position in 0..<8 {
            for value in UInt8.min...UInt8.max {
                var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 8)
                bytes[position] = value
                #expect(JSONReader.isPlainText(word(bytes)) == plain(value), "byte \(value) at \(position)")
            }
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            // Mostly plain text, so that both answers come up often.
            let bytes = (0..<8).map { _ in
                Int.random(in: 0..<4, using: &generator) == 0
                    ? UInt8.random(in: .min ... .max, using: &generator)
                    : UInt8.random(in: 0x20...0x7E, using: &generator)
            }
            #expect(JSONReader.isPlainText(word(bytes)) == bytes.allSatisfy(plain), "\(bytes)")
        }
    }

    /// Random requests, written by the encoder: read back as they were, or refused when the
    /// encoder had to escape a character, never read as something else.
    @Test func readsRandomRequestsBackOrRefusesThem() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abc-_/0123456789éß★ \"\\") + ["\u{7}"]
        func text() -> String {
            String(
                (0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
        }
        var readBack = 0
        for _ in 0..<500 {
            let request = SnapActionRequest(
                context: (0..<Int.random(in: 0...4)).map { _ in
                    .init(
                        snapID: text(), instanceKey: text(), revision: Int.random(in: -5...Int.max),
                        trackingChannel: Bool.random() ? text() : nil,
                        epoch: Bool.random() ? Epoch(read: [0, 1], write: [1]) : nil,
                        refreshedDate: Bool.random() ? text() : nil, ignoreValidation: Bool.random() ? true : nil)
                },
                actions: (0..<Int.random(in: 0...4)).map { _ in
                    .init(
                        .refresh, instanceKey: text(), snapID: Bool.random() ? text() : nil,
                        revision: Bool.random() ? 3 : nil)
                }, fields: Bool.random() ? [text(), text()] : nil)
            let body = Array(try WireJSON.literalEncoder.encode(request))
            guard let read = try? SnapActionRequest(reading: body) else { continue }
            #expect(read == request)
            readBack += 1
        }
        #expect(readBack > 0)
    }
}
