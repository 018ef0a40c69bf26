import ArgumentParser
import Foundation
import SnapFiles

struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Pack a directory into a .snap, like `snap pack`: squashfs 4.0, xz, root-owned, no xattrs.",
        discussion:
            "The directory must hold a valid meta/snap.yaml; the snap is named NAME_VERSION_ARCH.snap by default."
    )

    @Argument(help: "The snap's directory.") var directory: String
    @Option(name: .shortAndLong, help: "Output file, or a folder to put NAME_VERSION_ARCH.snap in.") var output: String?
    @Flag(help: "Print machine-readable JSON.") var json = false

    func run() throws {
        var packer = SnapPacker()
        let showProgress = !json && isatty(STDERR_FILENO) == 1
        if showProgress {
            var shown = -1
            packer.writer.progress = { done, total in
                let percent = total == 0 ? 100 : Int(done * 100 / total)
                guard percent != shown else { return }
                shown = percent
                FileHandle.standardError.write(Data("\rpacking… \(percent)%".utf8))
            }
        }
        let snap = try packer.pack(directory: directory, output: output)
        if json {
            try JSONOutput.print(SnapSummary(snap))
        } else {
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            print("built: \(snap.path) (\(snap.size) bytes)")
        }
    }
}
