import Foundation
import Logging
import ServiceLifecycle
import SluiceLog
import Synchronization

/// Keeps the log healthy while the daemon runs: group-commit fsyncs on a dedicated thread (fsync
/// blocks; it stays off the cooperative pool), the disk budget every second, retention once a
/// minute, and on shutdown a final fsync of every partition and a clean close.
public final class LogService: Service, Sendable {
    private let log: LogManager
    private let flushInterval: Duration
    private let retentionInterval: Duration
    private let logger: Logger
    private let keepFrom: @Sendable (Partition) -> Int64?
    private let diskBudget: DiskBudget

    /// Creates the service for an open log.
    /// - Parameters:
    ///   - flushInterval: how often to look for partitions due for a group-commit fsync.
    ///   - retentionInterval: how often to apply retention.
    ///   - keepFrom: per partition, the first offset retention must keep (the forward cursor).
    ///   - diskBudget: the limits of the whole data directory, enforced every second.
    public init(
        log: LogManager, flushInterval: Duration, retentionInterval: Duration = .seconds(60),
        keepFrom: @escaping @Sendable (Partition) -> Int64? = { _ in nil }, diskBudget: DiskBudget = DiskBudget(), logger: Logger
    ) {
        self.log = log
        self.diskBudget = diskBudget
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
        let budgetEvery = max(1, Int(.seconds(1) / tick))
        let budget = self.diskBudget
        let done = AsyncStream<Void>.makeStream()
        let stopFlag = StopFlag()
        let thread = Thread {
            var ticks = 0
            while !stopFlag.isSet {
                usleep(UInt32(max(1000, tick.components.seconds * 1_000_000 + tick.components.attoseconds / 1_000_000_000_000)))
                do {
                    try log.flushDue()
                    ticks += 1
                    if ticks % budgetEvery == 0 { try Self.enforce(budget, on: log, keepFrom: keepFrom, logger: logger) }
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

extension LogService {
    /// One pass of the disk budget, logged when it deletes, drops or changes state.
    static func enforce(
        _ budget: DiskBudget, on log: LogManager, keepFrom: (Partition) -> Int64?, logger: Logger
    ) throws(LogError) {
        let result = try log.enforce(budget, keepFrom: keepFrom)
        if result.droppedUnforwardedRecords > 0 {
            logger.warning(
                "disk budget: dropped records that were not forwarded (storage.on_full: drop-oldest)",
                metadata: [
                    "log.dropped_records": "\(result.droppedUnforwardedRecords)", "log.dropped_total": "\(log.statistics.droppedRecords)",
                    "log.used_bytes": "\(result.usedBytes)", "log.free_bytes": "\(result.freeBytes)",
                ])
        } else if result.deletedSegments > 0 {
            logger.info(
                "disk budget: deleted forwarded segments",
                metadata: ["log.segments": "\(result.deletedSegments)", "log.records": "\(result.deletedRecords)", "log.used_bytes": "\(result.usedBytes)"])
        }
        if log.diskBudgetState.update(result) {
            if result.isExceeded {
                logger.warning(
                    "disk budget exceeded: ingest pauses (the MQTT broker queues) until space is freed",
                    metadata: [
                        "log.used_bytes": "\(result.usedBytes)", "log.free_bytes": "\(result.freeBytes)",
                        "log.max_bytes": "\(budget.maxBytes.map(String.init) ?? "none")", "log.min_free_bytes": "\(budget.minFreeBytes.map(String.init) ?? "none")",
                        "log.policy": "\(budget.policy.rawValue)",
                    ])
            } else {
                logger.info("disk budget back within limits: ingest resumes", metadata: ["log.used_bytes": "\(result.usedBytes)"])
            }
        }
    }
}

/// A flag set once from any thread.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .acquiring) }
    func set() { flag.store(true, ordering: .releasing) }
}
