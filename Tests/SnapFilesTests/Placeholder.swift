import SnapFiles
import Testing

@Test func smoke() throws {
    var writer = SquashfsWriter()
    writer.modificationTime = 1
    _ = try writer.write(directory: "/tmp/sq/src", to: "/tmp/sq/ours.snap")
    let image = try SquashfsImage(path: "/tmp/sq/ours.snap")
    try image.walk { path, inode in print(path, inode.kind, String(inode.permissions, radix: 8), inode.size, inode.target ?? "") }
    #expect(try image.readFile(atPath: "bin/big").count == 300000)
}
