/// Why a snap file could not be read, written or accepted, precisely enough to act on.
public struct SnapFileError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Not a squashfs 4.0 image, or one this reader does not handle.
        case notSquashfs
        /// Structurally broken: truncated, offsets out of range, impossible sizes.
        case corrupt
        /// A compressed block that does not decompress.
        case decompression
        case unsupportedCompression
        /// A path that is not in the image, or not of the kind asked for.
        case notFound
        /// `meta/snap.yaml` (or `meta/gadget.yaml`) missing, unparsable, or breaking snapd's rules.
        case invalidMetadata
        /// The file system around the snap: unreadable files, unwritable output.
        case io
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
