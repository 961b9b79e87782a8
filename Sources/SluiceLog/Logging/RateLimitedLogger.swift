import Logging
import Synchronization

/// A logger for events that can repeat many times a second (a broken device's every message, an
/// unreachable broker, a failing disk): per key, at most one line per `interval`; occurrences in
/// between are counted, not printed, and the next line carries their number as `log.suppressed`
/// (and `log.count`, the occurrences it stands for, when more than one).
///
/// Keys are the stable kind of event (`oversize`, `connect`), never something that varies per
/// message. At most ``maxKeys`` keys are tracked; past that, keys idle for an interval are
/// forgotten, so memory stays bounded.
///
/// Lives in SluiceLog because every library target already depends on it.
///
/// Thread-safety: a lock around the per-key state; safe from any thread.
public final class RateLimitedLogger: Sendable {
    /// The logger lines go to.
    public let logger: Logger
    /// The least time between two lines of one key.
    public let interval: Duration
    private let intervalMillis: Int64
    private let now: @Sendable () -> Int64
    private let entries = Mutex<[String: Entry]>([:])

    /// Most keys tracked at once.
    public static let maxKeys = 1024

    struct Entry {
        var lastLineMillis: Int64
        var suppressedLines = 0
        var suppressedCount = 0
    }

    /// Creates a rate-limited logger.
    /// - Parameters:
    ///   - logger: where lines go.
    ///   - interval: the least time between two lines of one key; default 60 s.
    ///   - now: a monotonic clock in milliseconds (tests pass their own).
    public init(logger: Logger, interval: Duration = .seconds(60), now: @escaping @Sendable () -> Int64 = RateLimitedLogger.monotonicMillis) {
        self.logger = logger
        self.interval = interval
        self.intervalMillis = interval.wholeMilliseconds
        self.now = now
    }

    /// Milliseconds of the monotonic clock (not the wall clock: a clock step never floods or mutes).
    @Sendable public static func monotonicMillis() -> Int64 {
        let elapsed = ContinuousClock.now - epoch
        return elapsed.wholeMilliseconds
    }

    private static let epoch = ContinuousClock.now

    /// Logs `message` at `level` unless a line of `key` went out less than `interval` ago.
    /// - Parameters:
    ///   - key: the kind of event.
    ///   - count: how many occurrences this call stands for (a burst's dead letters of one reason).
    ///   - metadata: the line's metadata; `log.suppressed` and `log.count` are added.
    public func log(
        level: Logger.Level, key: String, _ message: @autoclosure () -> Logger.Message, count: Int = 1,
        metadata: @autoclosure () -> Logger.Metadata = [:], source: String? = nil,
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        guard logger.logLevel <= level else { return }
        let nowMillis = now()
        let suppressed: (lines: Int, count: Int)? = entries.withLock { entries in
            if var entry = entries[key] {
                guard nowMillis - entry.lastLineMillis >= intervalMillis else {
                    entry.suppressedLines += 1
                    entry.suppressedCount += count
                    entries[key] = entry
                    return nil
                }
                entries[key] = Entry(lastLineMillis: nowMillis)
                return (entry.suppressedLines, entry.suppressedCount)
            }
            if entries.count >= Self.maxKeys {
                entries = entries.filter { nowMillis - $0.value.lastLineMillis < intervalMillis }
            }
            if entries.count < Self.maxKeys { entries[key] = Entry(lastLineMillis: nowMillis) }
            return (0, 0)
        }
        guard let suppressed else { return }
        var metadata = metadata()
        let total = suppressed.count + count
        if total > 1 { metadata[LogLoggingKeys.count] = "\(total)" }
        if suppressed.lines > 0 { metadata[LogLoggingKeys.suppressed] = "\(suppressed.lines)" }
        logger.log(level: level, message(), metadata: metadata, source: source, file: file, function: function, line: line)
    }

    /// ``log(level:key:_:count:metadata:source:file:function:line:)`` at warning level.
    public func warning(
        key: String, _ message: @autoclosure () -> Logger.Message, count: Int = 1, metadata: @autoclosure () -> Logger.Metadata = [:],
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        log(level: .warning, key: key, message(), count: count, metadata: metadata(), file: file, function: function, line: line)
    }

    /// ``log(level:key:_:count:metadata:source:file:function:line:)`` at error level.
    public func error(
        key: String, _ message: @autoclosure () -> Logger.Message, count: Int = 1, metadata: @autoclosure () -> Logger.Metadata = [:],
        file: String = #fileID, function: String = #function, line: UInt = #line
    ) {
        log(level: .error, key: key, message(), count: count, metadata: metadata(), file: file, function: function, line: line)
    }
}
