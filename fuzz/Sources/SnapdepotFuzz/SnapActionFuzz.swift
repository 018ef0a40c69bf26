import Foundation
import StoreProtocol

/// The body of `POST /v2/snaps/refresh`, decoded as the store's route decodes it.
enum SnapActionFuzz {
    static func run(_ bytes: [UInt8]) {
        guard let request = try? WireJSON.literalDecoder.decode(SnapActionRequest.self, from: Data(bytes)) else {
            return
        }
        for action in request.actions { _ = try? action.channel.map(ChannelRequest.parse) }
    }
}
