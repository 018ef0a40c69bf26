import SnapFiles

/// `meta/snap.yaml` and `meta/gadget.yaml` as the store reads them from an uploaded snap.
enum MetadataFuzz {
    static func snapYAML(_ bytes: [UInt8]) {
        _ = try? SnapMetadata.parse(yaml: String(decoding: bytes, as: UTF8.self))
    }

    static func gadgetYAML(_ bytes: [UInt8]) {
        _ = try? GadgetMetadata.parse(yaml: String(decoding: bytes, as: UTF8.self))
    }
}
