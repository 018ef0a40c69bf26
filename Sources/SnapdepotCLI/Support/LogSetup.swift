import Foundation
import Logging

/// The one logging setup: human-readable lines on stderr, level from `SNAPDEPOT_LOG_LEVEL`
/// (trace, debug, info, notice, warning, error, critical; default warning).
enum LogSetup {
    static func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let level = environment["SNAPDEPOT_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
