import Foundation
import SystemPackage

/// Writes a file atomically and durably: created 0600 beside its destination, synced, renamed,
/// and the folder synced, so a power cut leaves the old file or the new one, whole. Keys, tokens
/// and the store's trust files are written only through it; so are a device's records and snaps.
public enum PrivateFile {
    public static func write(_ bytes: [UInt8], to url: URL) throws {
        // A name no other writer has, live or crashed: a process id comes back after a restart
        // (a container's server is process 1 every time) and would meet its predecessor's leftover.
        let temporary = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).\(UInt64.random(in: 0...UInt64.max)).tmp")
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(
                temporary.path, .writeOnly, options: [.create, .exclusiveCreate, .closeOnExec],
                permissions: [.ownerReadWrite])
        } catch {
            throw KeyStoreError("cannot create \(temporary.path): \(error)")
        }
        do {
            // Closed once whatever happens: Linux frees a descriptor even when close fails, and a
            // second close could close another thread's file that took its number.
            try file.closeAfter {
                try file.writeAll(bytes)
                guard fsync(file.rawValue) == 0 else { throw Errno(rawValue: errno) }
            }
        } catch {
            unlink(temporary.path)
            throw KeyStoreError("cannot write \(temporary.path) to disk: \(error)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw KeyStoreError("cannot move the file into place at \(url.path): \(reason)")
        }
        // The rename is durable only once the folder that records it is on disk.
        let folder = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }
}
