import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Random access to an image file by offset, with `pread`.
final class ImageFile {
    let path: String
    let size: UInt64
    private let descriptor: Int32

    init(path: String) throws(SnapFileError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw SnapFileError(.io, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            close(descriptor)
            throw SnapFileError(.io, "cannot stat \(path): \(String(cString: strerror(errno)))")
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw SnapFileError(.io, "\(path) is not a regular file")
        }
        self.path = path
        self.descriptor = descriptor
        self.size = UInt64(info.st_size)
    }

    deinit {
        close(descriptor)
    }

    /// Reads exactly `count` bytes at `offset`, or fails saying the image is truncated.
    func read(at offset: UInt64, count: Int, limit: UInt64? = nil) throws(SnapFileError) -> [UInt8] {
        let end = limit ?? size
        guard count >= 0, offset <= end, UInt64(count) <= end - offset else {
            throw SnapFileError(
                .corrupt, "offset \(offset) + \(count) bytes is beyond the end of the image (\(end) bytes)")
        }
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got: Int
            do {
                got = try buffer.withUnsafeMutableBytes { raw in
                    try FileDescriptor(rawValue: descriptor).read(
                        fromAbsoluteOffset: Int64(offset) + Int64(done),
                        into: UnsafeMutableRawBufferPointer(rebasing: raw[done...]))
                }
            } catch {
                throw SnapFileError(.io, "cannot read \(path): \(error)")
            }
            if got == 0 { throw SnapFileError(.corrupt, "\(path) is truncated at offset \(offset + UInt64(done))") }
            done += got
        }
        return buffer
    }
}
