import Foundation
import Logging

/// The one logging setup: human-readable lines on stderr, level from `SNAPDEPOT_LOG_LEVEL`
/// (trace, debug, info, notice, warning, error, critical; default warning), written in batches
/// (`LogLineWriter`) and flushed when the process exits.
enum LogSetup {
    static func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment) {
        // Lines' times come from localtime(), which with TZ unset looks at /etc/localtime again on
        // every call (glibc's tzset): a stat each time. Naming the same zone file lets glibc read
        // it once; a TZ the user set is left alone.
        if environment["TZ"] == nil { setenv("TZ", ":/etc/localtime", 0) }
        let level = environment["SNAPDEPOT_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        LoggingSystem.bootstrap { label in StandardErrorLogHandler(label: label, level: level) }
        atexit { LogLineWriter.standardError.flush() }
    }
}
