import Assertions
import DepotCrypto

/// A `.snap` as the store reads it: its digest and size, its validated `snap.yaml`, and for gadget
/// snaps its `gadget.yaml`.
public struct SnapFile: Sendable {
    public let path: String
    public let size: UInt64
    /// SHA3-384 of the whole file.
    public let sha3_384: [UInt8]
    public let metadata: SnapMetadata
    public let gadget: GadgetMetadata?

    /// The digest as the JSON `download.sha3-384` carries it: 96 lower-case hex characters.
    public var sha3_384Hex: String {
        Hex.encode(sha3_384)
    }

    /// The digest as `snap-revision` assertions carry it: base64url without padding.
    public var sha3_384Base64URL: String {
        Base64.urlEncoded(sha3_384)
    }

    /// Opens and checks a snap. `digest` may carry a digest already computed while the bytes were
    /// stored (uploads), so the file is not read twice.
    public static func open(path: String, digest: (sha3_384: [UInt8], size: UInt64)? = nil) throws(SnapFileError)
        -> SnapFile
    {
        let image = try SquashfsImage(path: path)
        let yaml: [UInt8]
        do {
            yaml = try image.readFile(atPath: "meta/snap.yaml", limit: 1 << 20)
        } catch  where error.kind == .notFound {
            throw SnapFileError(.invalidMetadata, "\(path) has no meta/snap.yaml")
        }
        guard let text = String(validating: yaml, as: UTF8.self) else {
            throw SnapFileError(.invalidMetadata, "meta/snap.yaml is not UTF-8")
        }
        var metadata = try SnapMetadata.parse(yaml: text)
        // Entries of meta/hooks named like a hook snapd supports are hooks even when snap.yaml
        // does not list them; other names are ignored (snapd's implicit hooks, snap/implicit.go).
        if let hooks = try? image.contents(ofDirectory: "meta/hooks") {
            let implicit = hooks.map(\.name).filter(SnapMetadata.isSupportedHook)
            metadata.hooks = Array(Set(metadata.hooks).union(implicit)).sorted()
        }
        var gadget: GadgetMetadata?
        if metadata.type == .gadget {
            let gadgetYAML: [UInt8]
            do {
                gadgetYAML = try image.readFile(atPath: "meta/gadget.yaml", limit: 1 << 20)
            } catch  where error.kind == .notFound {
                throw SnapFileError(.invalidMetadata, "gadget snap \"\(metadata.name)\" has no meta/gadget.yaml")
            }
            gadget = try GadgetMetadata.parse(yaml: String(decoding: gadgetYAML, as: UTF8.self))
        }
        let (sha3, size): ([UInt8], UInt64)
        if let digest {
            (sha3, size) = digest
        } else {
            do {
                (sha3, size) = try Digest.ofFile(at: path, .sha3_384)
            } catch {
                throw SnapFileError(.io, "\(error)")
            }
        }
        return SnapFile(path: path, size: size, sha3_384: sha3, metadata: metadata, gadget: gadget)
    }
}
