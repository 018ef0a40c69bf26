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
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
        guard written == bytes.count else { throw error("write") }
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
        var done = 0
        while done < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress.map { $0 + done }, raw.count - done)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw error("write")
            }
            done += written
        }
        flushed += UInt64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
    }

    private func error(_ action: String) -> SnapFileError {
        SnapFileError(.io, "cannot \(action) \(path): \(String(cString: strerror(errno)))")
    }
}
