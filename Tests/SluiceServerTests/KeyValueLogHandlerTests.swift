import Logging
import Synchronization
import Testing

@testable import SluiceServer

@Suite("The daemon's log lines")
struct KeyValueLogHandlerTests {
    /// Where a test logger's lines land.
    final class Sink: Sendable {
        private let store = Mutex<[String]>([])
        var lines: [String] { store.withLock { $0 } }
        func append(_ line: String) { store.withLock { $0.append(line) } }
    }

    /// A logger whose lines land in `sink`.
    static func logger(_ sink: Sink, includesTime: Bool = false) -> Logger {
        Logger(label: "sluice") { label in
            KeyValueLogHandler(label: label, includesTime: includesTime) { sink.append($0) }
        }
    }

    @Test("one logfmt line per event: level, message, metadata sorted by key, source")
    func shape() {
        let lines = Sink()
        Self.logger(lines).info("mqtt connected", metadata: ["mqtt.broker": "127.0.0.1:1883", "a.first": "1"], source: "SluiceMQTT")
        #expect(lines.lines == ["level=info msg=\"mqtt connected\" a.first=1 mqtt.broker=127.0.0.1:1883 source=SluiceMQTT\n"])
    }

    @Test("values with spaces, quotes, equals signs or newlines are quoted and escaped: an event stays on one line")
    func escaping() {
        let lines = Sink()
        Self.logger(lines).warning("disk\nfull", metadata: ["log.error": "No space left on device (\"data\" a=b)\n"], source: "SluiceLog")
        #expect(lines.lines == [#"level=warning msg="disk\nfull" log.error="No space left on device (\"data\" a=b)\n" source=SluiceLog"# + "\n"])
    }

    @Test("below the level nothing is written")
    func level() {
        let lines = Sink()
        var logger = Self.logger(lines)
        logger.logLevel = .info
        logger.debug("a record")
        #expect(lines.lines.isEmpty)
    }

    @Test("outside journald each line starts with a UTC timestamp")
    func timestamp() {
        let handler = KeyValueLogHandler(label: "sluice", environment: [:])
        let journald = KeyValueLogHandler(label: "sluice", environment: ["JOURNAL_STREAM": "8:1234"])
        let lines = Sink()
        Self.logger(lines, includesTime: true).info("x", source: "S")
        let line = lines.lines.first ?? ""
        #expect(line.hasPrefix("time=20") && line.contains("Z level=info msg=x source=S"), "\(line)")
        #expect(handler.logLevel == .info && journald.logLevel == .info)
    }
}
