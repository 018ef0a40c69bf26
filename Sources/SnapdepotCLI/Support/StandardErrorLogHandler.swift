import Logging

/// swift-log's `StreamLogHandler` line (`TIME LEVEL LABEL: key=value … [SOURCE] MESSAGE`, keys
/// sorted), made without its merged dictionary and intermediate strings and written through
/// `LogLineWriter`, which batches it.
struct StandardErrorLogHandler: LogHandler {
    let label: String
    let writer: LogLineWriter
    var logLevel: Logger.Level
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?

    init(label: String, level: Logger.Level, writer: LogLineWriter = .standardError) {
        self.label = label
        self.logLevel = level
        self.writer = writer
        metadataProvider = LoggingSystem.metadataProvider
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line = ""
        line.reserveCapacity(160)
        line += event.level.rawValue
        if !label.isEmpty {
            line += " "
            line += label
        }
        line += ":"
        for (key, value) in lineMetadata(event) {
            line += " "
            line += key
            line += "="
            line += value.description
        }
        line += " ["
        line += event.source
        line += "] "
        line += event.message.description
        line += "\n"
        writer.write(line, urgent: event.level >= .warning)
    }

    /// The logger's metadata, the provider's and the event's, later ones winning, sorted by key.
    private func lineMetadata(_ event: LogEvent) -> [(key: String, value: Logger.Metadata.Value)] {
        var entries = metadata.map { (key: $0.key, value: $0.value) }
        func set(_ key: String, _ value: Logger.Metadata.Value) {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                entries[index].value = value
            } else {
                entries.append((key, value))
            }
        }
        for (key, value) in metadataProvider?.get() ?? [:] { set(key, value) }
        for (key, value) in event.metadata ?? [:] { set(key, value) }
        if let error = event.error {
            set("error.message", "\(error)")
            set("error.type", "\(String(reflecting: type(of: error)))")
        }
        return entries.sorted { $0.key < $1.key }
    }
}
