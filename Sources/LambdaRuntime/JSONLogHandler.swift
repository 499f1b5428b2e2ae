import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A swift-log handler writing one JSON object per line to stderr, the shape CloudWatch Logs
/// Insights parses: `{"timestamp","level","message","logger",…metadata}` (request id included
/// through the context logger's metadata).
public struct JSONLogHandler: LogHandler {
    /// Minimum level written.
    public var logLevel: Logger.Level
    /// Metadata attached to every line of this logger.
    public var metadata: Logger.Metadata = [:]
    private let label: String

    /// Creates a handler; the level comes from `AWS_LAMBDA_LOG_LEVEL` / `LOG_LEVEL` when set.
    public init(label: String, level: Logger.Level? = nil) {
        self.label = label
        self.logLevel = level ?? JSONLogHandler.environmentLevel() ?? .info
    }

    /// Reads `AWS_LAMBDA_LOG_LEVEL` (Lambda's advanced logging controls) or `LOG_LEVEL`.
    static func environmentLevel() -> Logger.Level? {
        for name in ["AWS_LAMBDA_LOG_LEVEL", "LOG_LEVEL"] {
            if let raw = getenv(name), let level = Logger.Level(rawValue: String(cString: raw).lowercased()) {
                return level
            }
        }
        return nil
    }

    /// Bootstraps swift-log with this handler, once per process.
    public static func bootstrap() {
        LoggingSystem.bootstrap { JSONLogHandler(label: $0) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // One write(2) per line, so lines from concurrent tasks never interleave mid-line.
        let bytes = Array(line(for: event, atMillis: LambdaClock.nowMillis()).utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { break }
            offset += n
        }
    }

    /// The JSON line written for `event` at `millis` since the epoch (newline included): the handler's
    /// metadata merged with the event's, keys sorted, numbers as numbers, the four fixed fields first and
    /// never overridden by metadata.
    func line(for event: LogEvent, atMillis millis: Int64) -> String {
        var line = "{\"timestamp\":"
        JSONString.append(LambdaClock.iso8601(millis: millis), to: &line)
        line += ",\"level\":"
        JSONString.append(event.level.rawValue.uppercased(), to: &line)
        line += ",\"message\":"
        JSONString.append(event.message.description, to: &line)
        line += ",\"logger\":"
        JSONString.append(label, to: &line)
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        for key in merged.keys.sorted() where !["timestamp", "level", "message", "logger"].contains(key) {
            line += ","
            JSONString.append(key, to: &line)
            line += ":"
            Self.append(merged[key]!, to: &line)
        }
        line += "}\n"
        return line
    }

    private static func append(_ value: Logger.Metadata.Value, to line: inout String) {
        switch value {
        case .string(let s):
            JSONString.append(s, to: &line)
        case .stringConvertible(let c):
            // Numbers stay numbers so metrics queries work; everything else is a string.
            if c is any BinaryInteger || c is any BinaryFloatingPoint, let d = Double(c.description), d.isFinite {
                line += c.description
            } else {
                JSONString.append(c.description, to: &line)
            }
        case .array(let items):
            line += "["
            for (i, item) in items.enumerated() {
                if i > 0 { line += "," }
                append(item, to: &line)
            }
            line += "]"
        case .dictionary(let dict):
            line += "{"
            for (i, key) in dict.keys.sorted().enumerated() {
                if i > 0 { line += "," }
                JSONString.append(key, to: &line)
                line += ":"
                append(dict[key]!, to: &line)
            }
            line += "}"
        }
    }
}
