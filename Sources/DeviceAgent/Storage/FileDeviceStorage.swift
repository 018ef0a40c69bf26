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
        try AtomicFile.write(bytes, to: folder.appendingPathComponent(record).path)
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
