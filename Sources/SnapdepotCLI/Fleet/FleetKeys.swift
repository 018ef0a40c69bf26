import Assertions
import Foundation

/// Device keys for a simulated fleet. The vault gives a key one serial only, so every device needs
/// its own; RSA key generation dominates starting a large fleet, so a key pool file keeps them
/// between runs against fresh (embedded) stores.
enum FleetKeys {
    /// The keys as PEM: each device parses its own when it signs.
    static func make(count: Int, bits: Int, pool: String?, progress: ProgressBar) async throws -> [String] {
        var keys: [String] = []
        if let pool, let text = try? String(contentsOfFile: pool, encoding: .utf8) {
            keys = Array(pems(in: text).prefix(count))
        }
        let missing = count - keys.count
        guard missing > 0 else { return keys }
        let made = try await generate(missing, bits: bits, progress: progress).map { try $0.pem() }
        if let pool {
            let text = made.joined()
            if FileManager.default.fileExists(atPath: pool), let handle = FileHandle(forWritingAtPath: pool) {
                try handle.seekToEnd()
                try handle.write(contentsOf: Data(text.utf8))
                try handle.close()
            } else {
                try PrivateFile.write(Array(text.utf8), to: URL(fileURLWithPath: pool))
            }
        }
        return keys + made
    }

    private static func generate(_ count: Int, bits: Int, progress: ProgressBar) async throws -> [PrivateKey] {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        return try await withThrowingTaskGroup(of: [PrivateKey].self) { group in
            let share = (count + cores - 1) / cores
            let done = Counter()
            for core in 0..<cores {
                let mine = max(0, min(share, count - core * share))
                group.addTask {
                    var keys: [PrivateKey] = []
                    for _ in 0..<mine {
                        keys.append(try PrivateKey.generate(bits: bits))
                        progress.update(done.increment(), UInt64(count))
                    }
                    return keys
                }
            }
            var all: [PrivateKey] = []
            for try await keys in group { all += keys }
            return all
        }
    }

    /// The PKCS#8 PEM blocks of a key pool file, in order.
    private static func pems(in text: String) -> [String] {
        let end = "-----END PRIVATE KEY-----"
        return text.components(separatedBy: end).compactMap { part in
            part.range(of: "-----BEGIN PRIVATE KEY-----").map { String(part[$0.lowerBound...]) + end + "\n" }
        }
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value: UInt64 = 0

        func increment() -> UInt64 {
            lock.withLock {
                value += 1
                return value
            }
        }
    }
}
