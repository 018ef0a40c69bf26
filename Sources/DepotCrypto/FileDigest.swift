import SystemPackage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension Digest {
    /// Hashes a file in one streaming pass and returns its digest and size.
    public static func ofFile(at path: String, _ algorithm: DigestAlgorithm, chunkSize: Int = 1 << 20) throws
        -> (digest: [UInt8], size: UInt64)
    {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw CryptoError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let stream = DigestStream(algorithm)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count: Int
            do {
                count = try FileDescriptor(rawValue: fd).read(into: buffer)
            } catch {
                throw CryptoError("cannot read \(path): \(error)")
            }
            if count == 0 { break }
            stream.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
        return (stream.finalize(), stream.byteCount)
    }
}
