import Foundation
import Logging
import ServiceLifecycle
import SluiceLog
import Synchronization

/// Keeps the log healthy while the daemon runs: group-commit fsyncs on a dedicated thread (fsync
/// blocks; it stays off the cooperative pool), retention once a minute, and on shutdown a final
/// fsync of every partition and a clean close.
public final class LogService: Service, Sendable {
    private let log: LogManager
    private let flushInterval: Duration
    private let retentionInterval: Duration
    private let logger: Logger
    private let keepFrom: @Sendable (Partition) -> Int64?

    /// Creates the service for an open log.
    /// - Parameters:
    ///   - flushInterval: how often to look for partitions due for a group-commit fsync.
    ///   - retentionInterval: how often to apply retention.
    ///   - keepFrom: per partition, the first offset retention must keep (the forward cursor).
    public init(
        log: LogManager, flushInterval: Duration, retentionInterval: Duration = .seconds(60),
        keepFrom: @escaping @Sendable (Partition) -> Int64? = { _ in nil }, logger: Logger
    ) {
        self.log = log
        self.flushInterval = flushInterval
        self.retentionInterval = retentionInterval
        self.keepFrom = keepFrom
        self.logger = logger
    }

    public func run() async throws {
        let log = self.log
        let logger = self.logger
        let keepFrom = self.keepFrom
        let tick = max(.milliseconds(10), flushInterval / 4)
        let retentionEvery = max(1, Int(retentionInterval / tick))
        let done = AsyncStream<Void>.makeStream()
        let stopFlag = StopFlag()
        let thread = Thread {
            var ticks = 0
            while !stopFlag.isSet {
                usleep(UInt32(max(1000, tick.components.seconds * 1_000_000 + tick.components.attoseconds / 1_000_000_000_000)))
                do {
                    try log.flushDue()
                    ticks += 1
                    if ticks % retentionEvery == 0 {
                        for result in try log.applyRetention(keepFrom: keepFrom) where result.deletedSegments > 0 {
                            logger.info("retention deleted segments", metadata: [
                                "log.segments": "\(result.deletedSegments)", "log.records": "\(result.deletedRecords)",
                                "log.start_offset": "\(result.logStartOffset)",
                            ])
                        }
                    }
                } catch {
                    logger.error("log maintenance failed", metadata: ["log.error": "\(error)"])
                }
            }
            done.continuation.finish()
        }
        thread.name = "sluice-log"
        thread.start()
        await withGracefulShutdownHandler {
            for await _ in done.stream {}
        } onGracefulShutdown: {
            stopFlag.set()
        }
        stopFlag.set()
        for await _ in done.stream {}
        do {
            try log.close()
            logger.info("log closed cleanly")
        } catch {
            logger.error("closing the log failed", metadata: ["log.error": "\(error)"])
        }
    }
}

/// A flag set once from any thread.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}
