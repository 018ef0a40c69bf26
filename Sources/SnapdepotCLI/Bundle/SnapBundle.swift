import Assertions
import ChildProcesses
import DepotCrypto
import Foundation
import SnapFiles
import StoreProtocol

/// An offline bundle, what `export` writes and `import` reads to carry snaps into an air-gapped
/// store (like the Snap Store Proxy's air-gapped export): a tar holding `manifest.json`,
/// `assertions.assert` (the roots, then every assertion the snaps' chains need, signers first) and
/// `snaps/NAME_REVISION.snap`. The manifest says where each revision sits in the channels and holds
/// the SHA3-384 of every other file, so that a damaged bundle is refused before anything is written.
struct SnapBundle {
    static let format = "snapdepot-bundle/1"

    struct Manifest: Codable {
        var format: String
        var createdAt: String
        var source: Source
        var snaps: [Snap]
        /// The bundle's other files, by path inside it, with their SHA3-384 (hex).
        var files: [String: String]

        struct Source: Codable {
            let url: String
            let authorityID: String
            let rootKey: String
        }

        struct Snap: Codable {
            let name: String
            let snapID: String
            let publisherID: String
            /// The snap's tracks besides `latest`, and the one devices follow by default.
            var tracks: [String]
            var defaultTrack: String
            var revisions: [Revision]
            var channels: [Placement]
        }

        struct Revision: Codable {
            let revision: Int
            let file: String
            let sha3_384: String
            let size: UInt64
            let version: String
        }

        struct Placement: Codable, Hashable {
            let channel: String
            let architecture: String
            let revision: Int
        }
    }

    let folder: URL
    let manifest: Manifest
    let assertions: [Assertion]
    /// Each file's SHA3-384, as `open` read and checked it: a snap is not read a second time to open it.
    let digests: [String: [UInt8]]

    static let manifestFile = "manifest.json"
    static let assertionsFile = "assertions.assert"

    /// The self-signed account-keys among `assertions`, with their accounts: the roots the rest
    /// is signed under.
    static func roots(in assertions: [Assertion]) -> [Assertion] {
        let keys = assertions.filter {
            $0.type == .accountKey && $0.string("sign-key-sha3-384") == $0.string("public-key-sha3-384")
        }
        let accounts = Set(keys.map { $0.string("account-id") })
        return assertions.filter { $0.type == .account && accounts.contains($0.string("account-id")) } + keys
    }

    /// SHA3-384 of a file, read in pieces.
    static func digest(of file: URL) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: file.path) else {
            throw CLIError("cannot read \(file.path)")
        }
        defer { try? handle.close() }
        let stream = DigestStream(.sha3_384)
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { stream.update(chunk) }
        return stream.finalize()
    }

    /// Writes `folder` (manifest, assertions, snaps) as the tar `output`, whole or not at all;
    /// `known` holds the hex SHA3-384 of files already hashed (the snaps, when they were fetched).
    static func write(_ folder: URL, manifest: Manifest, to output: String, known: [String: String] = [:]) throws {
        var manifest = manifest
        manifest.files = [:]
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        while let path = enumerator?.nextObject() as? String {
            let url = folder.appendingPathComponent(path)
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                path != manifestFile
            else { continue }
            manifest.files[path] = try known[path] ?? Hex.encode(digest(of: url))
        }
        let encoder = WireJSON.encoder
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(manifest).write(to: folder.appendingPathComponent(manifestFile))
        let partial = output + ".partial"
        let packed = try ChildProcess.run(
            "/bin/tar", ["-C", folder.path, "-cf", partial, manifestFile, assertionsFile, "snaps"],
            timeout: .seconds(3600))
        guard packed.succeeded else {
            try? FileManager.default.removeItem(atPath: partial)
            throw CLIError("cannot write \(output): \(packed.describe(timeout: .seconds(3600)))")
        }
        if FileManager.default.fileExists(atPath: output) { try FileManager.default.removeItem(atPath: output) }
        try FileManager.default.moveItem(atPath: partial, toPath: output)
    }

    /// Whether `file` looks like a tar archive (the `ustar` magic), not a `.snap`.
    static func isBundle(_ file: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: file) else { return false }
        defer { try? handle.close() }
        guard let head = try? handle.read(upToCount: 263), head.count == 263 else { return false }
        return Array(head[257..<262]) == Array("ustar".utf8)
    }

    /// Unpacks and checks a bundle: every file the manifest lists is there with its digest, and
    /// nothing else is; the assertions decode. Any damage is refused with where it is.
    static func open(_ file: String, into folder: URL) throws -> SnapBundle {
        let unpacked = try ChildProcess.run("/bin/tar", ["-C", folder.path, "-xf", file], timeout: .seconds(3600))
        guard unpacked.succeeded else {
            throw CLIError(
                "\(file) is not a whole bundle (truncated or not a tar): \(unpacked.output.trimmingCharacters(in: .whitespacesAndNewlines))"
            )
        }
        let manifestData: Data
        do {
            manifestData = try Data(contentsOf: folder.appendingPathComponent(manifestFile))
        } catch {
            throw CLIError("\(file) has no \(manifestFile): it is not a bundle `snapdepot export` wrote")
        }
        let manifest: Manifest
        do {
            manifest = try WireJSON.decoder.decode(Manifest.self, from: manifestData)
        } catch {
            throw CLIError("\(file): its \(manifestFile) cannot be read: \(error)")
        }
        guard manifest.format == format else {
            throw CLIError("\(file) is a \(manifest.format) bundle; this snapdepot reads \(format)")
        }
        var present = Set<String>()
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        while let path = enumerator?.nextObject() as? String {
            let url = folder.appendingPathComponent(path)
            if (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true, path != manifestFile {
                present.insert(path)
            }
        }
        if let extra = present.subtracting(manifest.files.keys).sorted().first {
            throw CLIError("\(file) holds \(extra), which its manifest does not list: refused")
        }
        var digests: [String: [UInt8]] = [:]
        for (path, expected) in manifest.files.sorted(by: { $0.key < $1.key }) {
            guard present.contains(path) else { throw CLIError("\(file) lacks \(path), which its manifest lists") }
            let bytes = try digest(of: folder.appendingPathComponent(path))
            digests[path] = bytes
            let actual = Hex.encode(bytes)
            guard actual == expected else {
                throw CLIError(
                    "\(file): \(path) is damaged (its SHA3-384 is \(actual), the manifest says \(expected)): refused")
            }
        }
        let assertions: [Assertion]
        do {
            assertions = try AssertionStream.decode(
                Array(try Data(contentsOf: folder.appendingPathComponent(assertionsFile))))
        } catch {
            throw CLIError("\(file): \(assertionsFile) does not decode: \(error)")
        }
        return SnapBundle(folder: folder, manifest: manifest, assertions: assertions, digests: digests)
    }
}
