import Foundation
import StoreProtocol

/// The body of `POST /v2/snaps/refresh`, read as the store's route reads it: `JSONReader` first,
/// `JSONDecoder` for what it refuses. The two are compared: whatever the fast reader accepts, the
/// decoder must accept with the same value, or the store would answer a different request.
enum SnapActionFuzz {
    static func run(_ bytes: [UInt8]) {
        let decoded = try? WireJSON.literalDecoder.decode(SnapActionRequest.self, from: Data(bytes))
        if let read = try? SnapActionRequest(reading: bytes) {
            guard let decoded, decoded == read else {
                fatalError(
                    "JSONReader read a body JSONDecoder reads otherwise: \(String(decoding: bytes, as: UTF8.self))")
            }
        }
        guard let request = decoded else { return }
        for action in request.actions { _ = try? action.channel.map(ChannelRequest.parse) }
    }
}
