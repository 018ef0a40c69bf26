import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file written through a buffer, made visible under its final name only when complete.
final class OutputFile {
    let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var flushed: UInt64 = 0

    init(path: String) throws(SnapFileError) {
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw SnapFileError(.io, "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        self.path = path
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        close(descriptor)
    }

    var position: UInt64 { flushed + UInt64(buffer.count) }

    func append(_ bytes: [UInt8]) throws(SnapFileError) {
        buffer += bytes
        if buffer.count >= 1 << 20 { try flush() }
    }

    func write(_ bytes: [UInt8], at offset: UInt64) throws(SnapFileError) {
        try flush()
        do {
            try FileDescriptor(rawValue: descriptor).writeAll(toAbsoluteOffset: Int64(offset), bytes)
        } catch {
            throw self.error("write", error)
        }
    }

    func finish(renamingTo destination: String) throws(SnapFileError) {
        try flush()
        guard fsync(descriptor) == 0 else { throw error("sync") }
        guard rename(path, destination) == 0 else {
            throw SnapFileError(.io, "cannot move \(path) to \(destination): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes the partial file after a failure.
    func abandon() {
        unlink(path)
    }

    private func flush() throws(SnapFileError) {
        do {
            try FileDescriptor(rawValue: descriptor).writeAll(buffer)
        } catch {
            throw self.error("write", error)
        }
        flushed += UInt64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    private func error(_ action: String, _ cause: any Error = Errno(rawValue: errno)) -> SnapFileError {
        SnapFileError(.io, "cannot \(action) \(path): \(cause)")
    }
}
