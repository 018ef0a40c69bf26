import Assertions
import Foundation
import SnapFiles

/// A device folder (see `DeviceState`): records as files replaced atomically, snaps in `snaps/`.
public struct FileDeviceStorage: DeviceStorage {
    public let folder: URL

    public init(folder: URL) {
        self.folder = folder
    }

    public var location: String { folder.path }

    public func read(_ record: String) -> [UInt8]? {
        FileManager.default.contents(atPath: folder.appendingPathComponent(record).path).map { Array($0) }
    }

    public func replace(_ record: String, with bytes: [UInt8]) throws {
        try PrivateFile.write(bytes, to: folder.appendingPathComponent(record))
    }

    public func snapFiles() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: snaps.path)) ?? []).filter { $0.hasSuffix(".snap") }
    }

    public func hasSnap(_ file: String) -> Bool {
        FileManager.default.fileExists(atPath: snapPath(file))
    }

    public func openSnap(_ file: String) throws -> SnapFile {
        try SnapFile.open(path: snapPath(file))
    }

    public func snapPath(_ file: String) -> String {
        snaps.appendingPathComponent(file).path
    }

    public func removeSnap(_ file: String) {
        try? FileManager.default.removeItem(atPath: snapPath(file))
    }

    public func hasPartial(_ file: String) -> Bool {
        FileManager.default.fileExists(atPath: partial(file))
    }

    public func download(
        _ url: String, expectedSize: UInt64, to file: String, resume: Bool, headers: [String: String],
        connection: StoreConnection
    ) async throws -> (SnapFile?, UInt64) {
        let path = partial(file)
        let offset = try await connection.download(
            url, to: path, expectedSize: expectedSize, resume: resume, extraHeaders: headers)
        return (try? SnapFile.open(path: path), offset)
    }

    public func applyDelta(
        _ url: String, expectedSize: UInt64, from source: String, to file: String, headers: [String: String],
        connection: StoreConnection
    ) async throws -> SnapFile? {
        // As snapd's: the delta is fetched whole each time (never resumed) and removed after use.
        let delta = partial(file) + "." + XDelta3.format
        defer { try? FileManager.default.removeItem(atPath: delta) }
        _ = try await connection.download(
            url, to: delta, expectedSize: expectedSize, resume: false, extraHeaders: headers)
        do {
            try await XDelta3.decode(
                source: snapPath(source), delta: delta, output: partial(file), timeout: Self.deltaTimeout)
        } catch {
            removePartial(file)
            throw error
        }
        return try? SnapFile.open(path: partial(file))
    }

    /// The longest applying one delta may take.
    static let deltaTimeout: Duration = .seconds(600)

    public func promotePartial(_ file: String) throws {
        guard rename(partial(file), snapPath(file)) == 0 else {
            throw DeviceAgentError("cannot move \(partial(file)) into place: errno \(errno)")
        }
    }

    public func removePartial(_ file: String) {
        try? FileManager.default.removeItem(atPath: partial(file))
    }

    public func openAssertions() -> TrustDatabase? { nil }
    public func keepAssertions(_ database: TrustDatabase) {}

    private var snaps: URL { folder.appendingPathComponent("snaps") }

    private func partial(_ file: String) -> String {
        snapPath(file) + ".partial"
    }
}
