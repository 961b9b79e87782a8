import Foundation
import Logging

/// The daemon's log lines: one line per event in logfmt (`key=value`, values quoted when they
/// hold spaces, quotes or `=`, newlines escaped), so journald keeps each event on one line and
/// `journalctl -u sluice | grep mqtt.broker=` or a log shipper can parse them:
///
/// ```
/// level=info msg="mqtt connected" mqtt.broker=127.0.0.1:1883 source=SluiceMQTT
/// ```
///
/// Under journald (`JOURNAL_STREAM` set) the timestamp is left out — journald stamps every line
/// itself; elsewhere each line starts with `time=` (ISO 8601, UTC, milliseconds). Metadata keys
/// come sorted, so a given event always prints the same shape.
///
/// Thread-safety: a value type; each line goes out in one `write(2)`, so lines from several
/// threads never interleave.
public struct KeyValueLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let includesTime: Bool
    private let output: @Sendable (String) -> Void

    /// Creates a handler writing to standard error.
    /// - Parameters:
    ///   - label: the logger's label (not printed; `source` says which module logged).
    ///   - environment: the process environment; `JOURNAL_STREAM` turns timestamps off.
    public init(label: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.init(label: label, includesTime: environment["JOURNAL_STREAM"] == nil) { line in
            var bytes = Array(line.utf8)
            bytes.withUnsafeMutableBytes { _ = Foundation.write(2, $0.baseAddress, $0.count) }
        }
    }

    /// Creates a handler writing each line (with its newline) to `output` (tests).
    public init(label: String, includesTime: Bool, output: @escaping @Sendable (String) -> Void) {
        self.label = label
        self.includesTime = includesTime
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let extra = event.metadata { all.merge(extra) { $1 } }
        var line = ""
        if includesTime { line += "time=" + Self.timestamp() + " " }
        line += "level=\(event.level) msg=" + Self.quoted("\(event.message)")
        for (key, value) in all.sorted(by: { $0.key < $1.key }) {
            line += " " + key + "=" + Self.quoted("\(value)")
        }
        line += " source=" + Self.quoted(event.source) + "\n"
        output(line)
    }

    /// `value` as is when it is a bare word, else in double quotes with `"`, `\` and control
    /// characters escaped.
    static func quoted(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" || $0.value < 0x20 }
        guard needsQuotes else { return value }
        var result = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 { result += String(format: "\\u%04x", scalar.value) } else { result.unicodeScalars.append(scalar) }
            }
        }
        return result + "\""
    }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min,
            parts.tm_sec, now.tv_nsec / 1_000_000)
    }
}
