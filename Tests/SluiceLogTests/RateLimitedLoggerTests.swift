import Logging
import Synchronization
import Testing

@testable import SluiceLog

@Suite("Rate-limited warnings")
struct RateLimitedLoggerTests {
    /// Collects (message, metadata) of every line.
    final class Capture: LogHandler, @unchecked Sendable {
        // @unchecked Sendable: the lines sit behind a Mutex; metadata and level are only set
        // before the test logs.
        let lines = Mutex<[(String, Logger.Metadata)]>([])
        var logLevel: Logger.Level = .info
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { lines.withLock { $0.append(("\(event.message)", event.metadata ?? [:])) } }
    }

    /// A manual clock, in milliseconds.
    final class ManualClock: Sendable {
        let millis = Atomic<Int64>(0)
        func advance(_ delta: Int64) { millis.add(delta, ordering: .relaxed) }
    }

    @Test("per key, one line per interval; the next line says how many were held back")
    func limits() {
        let capture = Capture()
        let clock = ManualClock()
        let limited = RateLimitedLogger(logger: Logger(label: "t") { _ in capture }, interval: .seconds(60)) { clock.millis.load(ordering: .relaxed) }
        for _ in 0..<1000 { limited.warning(key: "oversize", "dead letter") }
        limited.warning(key: "connect", "connect failed")
        clock.advance(59_999)
        limited.warning(key: "oversize", "dead letter", count: 5)
        #expect(capture.lines.withLock { $0.map(\.0) } == ["dead letter", "connect failed"])
        clock.advance(1)
        limited.warning(key: "oversize", "dead letter", count: 2)
        let lines = capture.lines.withLock { $0 }
        #expect(lines.map(\.0) == ["dead letter", "connect failed", "dead letter"])
        // 999 + 1 suppressed calls (1004 occurrences), plus this one's 2.
        #expect(lines[2].1[LogLoggingKeys.suppressed] == "1000")
        #expect(lines[2].1[LogLoggingKeys.count] == "1006")
        #expect(lines[0].1[LogLoggingKeys.suppressed] == nil)
    }

    @Test("below the logger's level nothing is counted or written")
    func level() {
        let capture = Capture()
        capture.logLevel = .error
        let limited = RateLimitedLogger(logger: Logger(label: "t") { _ in capture }) { 0 }
        limited.warning(key: "k", "w")
        limited.error(key: "k", "e")
        #expect(capture.lines.withLock { $0.map(\.0) } == ["e"])
    }
}
