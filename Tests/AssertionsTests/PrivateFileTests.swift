import Assertions
import Foundation
import TestSupport
import Testing

/// Keys, tokens and a device's records are replaced whole and kept from other users.
@Suite struct PrivateFileTests {
    @Test func aFileIsReplacedWholeAndReadableByItsOwnerAlone() throws {
        let folder = try makeTemporaryDirectory("private-file")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("token")
        try PrivateFile.write(Array("first\n".utf8), to: file)
        let large = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try PrivateFile.write(large, to: file)
        #expect(try Array(Data(contentsOf: file)) == large)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["token"])
    }

    /// A server in a container is process 1 after every restart: what a crashed predecessor left
    /// half-written under its process id must not stop the next write.
    @Test func aLeftoverOfACrashedWriterWithTheSameProcessIDDoesNotBlockAWrite() throws {
        let folder = try makeTemporaryDirectory("private-file")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("admin-token")
        let leftover = folder.appendingPathComponent(".admin-token.\(getpid()).tmp")
        try Data("half".utf8).write(to: leftover)
        try PrivateFile.write(Array("whole\n".utf8), to: file)
        #expect(try String(contentsOf: file, encoding: .utf8) == "whole\n")
    }

    @Test func aFolderThatIsNotThereIsAClearErrorAndLeavesNothing() throws {
        let folder = try makeTemporaryDirectory("private-file")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("missing/key.pem")
        #expect {
            try PrivateFile.write([1, 2, 3], to: file)
        } throws: { error in
            "\(error)".contains("cannot create") && "\(error)".contains("No such file or directory")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }
}
