#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A directory on disk as the writer sees it: every entry found with `lstat`, children in
/// bytewise name order (the order squashfs directory lookups rely on).
struct SourceTree {
    enum Kind {
        case directory(children: [Int])
        case file(path: String, size: UInt64)
        case symlink(target: String)
    }

    struct Node {
        let name: String
        let kind: Kind
        let permissions: UInt16
        let modificationTime: UInt32
    }

    private(set) var nodes: [Node] = []

    init(scanning root: String) throws(SnapFileError) {
        _ = try add(path: root, name: "", depth: 0)
    }

    private mutating func add(path: String, name: String, depth: Int) throws(SnapFileError) -> Int {
        guard depth < 256 else { throw SnapFileError(.io, "\(path): directories nested deeper than 256 levels") }
        var info = stat()
        guard lstat(path, &info) == 0 else {
            throw SnapFileError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        let permissions = UInt16(info.st_mode & 0o7777)
        let mtime = UInt32(clamping: info.st_mtim.tv_sec)
        let kind: Kind
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            let index = nodes.count
            nodes.append(
                Node(name: name, kind: .directory(children: []), permissions: permissions, modificationTime: mtime))
            var children: [Int] = []
            for child in try Self.entries(of: path) {
                children.append(try add(path: path + "/" + child, name: child, depth: depth + 1))
            }
            nodes[index] = Node(
                name: name, kind: .directory(children: children), permissions: permissions, modificationTime: mtime)
            return index
        case S_IFREG:
            kind = .file(path: path, size: UInt64(info.st_size))
        case S_IFLNK:
            var buffer = [CChar](repeating: 0, count: 4097)
            let length = readlink(path, &buffer, 4096)
            guard length >= 0 else {
                throw SnapFileError(.io, "cannot read the link \(path): \(String(cString: strerror(errno)))")
            }
            kind = .symlink(
                target: String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self))
        default:
            throw SnapFileError(
                .io, "\(path) is a device, fifo or socket; a snap can hold only files, directories and symlinks")
        }
        nodes.append(Node(name: name, kind: kind, permissions: permissions, modificationTime: mtime))
        return nodes.count - 1
    }

    private static func entries(of path: String) throws(SnapFileError) -> [String] {
        guard let directory = opendir(path) else {
            throw SnapFileError(.io, "cannot list \(path): \(String(cString: strerror(errno)))")
        }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}
