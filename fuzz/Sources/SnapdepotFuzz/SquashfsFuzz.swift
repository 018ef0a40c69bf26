import Foundation
import SnapFiles

/// The squashfs reader as an upload reaches it: open the image as a snap (superblock, tables,
/// `meta/snap.yaml`), then walk every path and read every file within a limit.
enum SquashfsFuzz {
    /// The reader works on files; inputs go through one in memory-backed /dev/shm when it exists.
    static let path: String = {
        let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return "\(folder)/snapdepot-fuzz-\(getpid()).snap"
    }()

    static func run(_ bytes: [UInt8]) {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
        _ = try? SnapFile.open(path: path)
        guard let image = try? SquashfsImage(path: path) else { return }
        try? image.walk { path, inode in
            if inode.kind == .file { _ = try image.readFile(atPath: path, limit: 1 << 20) }
        }
    }
}
