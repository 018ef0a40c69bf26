import Foundation

/// A one-line progress bar on stderr for people; silent when stderr is not a terminal or for --json.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let enabled: Bool
    private let lock = NSLock()
    private var shown = -1

    init(label: String, enabled: Bool) {
        self.label = label
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    func update(_ done: UInt64, _ total: UInt64) {
        guard enabled else { return }
        let percent = total == 0 ? 100 : Int(done * 100 / total)
        lock.lock()
        defer { lock.unlock() }
        guard percent != shown else { return }
        shown = percent
        let filled = percent * 30 / 100
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled)
        FileHandle.standardError.write(Data("\r\(label) \(bar) \(percent)%".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// A bar per file for a run of downloads, one file at a time (`image build`).
final class FileProgress: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var bars: [String: ProgressBar] = [:]

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func update(_ file: String, _ done: UInt64, _ total: UInt64) {
        lock.lock()
        let bar = bars[file] ?? ProgressBar(label: file, enabled: enabled)
        bars[file] = bar
        lock.unlock()
        bar.update(done, total)
    }

    func finish(_ file: String) {
        lock.lock()
        let bar = bars.removeValue(forKey: file)
        lock.unlock()
        bar?.finish()
    }
}
