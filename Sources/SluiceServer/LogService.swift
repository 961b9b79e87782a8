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
    private let repeatInterval: Duration

    /// Creates the service for an open log.
    /// - Parameters:
    ///   - flushInterval: how often to look for partitions due for a group-commit fsync.
    ///   - retentionInterval: how often to apply retention.
    ///   - keepFrom: per partition, the first offset retention must keep (the forward cursor).
    ///   - diskBudget: the limits of the whole data directory, enforced every second.
    ///   - repeatInterval: the least time between two lines about a repeating failure.
    public init(
        log: LogManager, flushInterval: Duration, retentionInterval: Duration = .seconds(60),
        keepFrom: @escaping @Sendable (Partition) -> Int64? = { _ in nil }, diskBudget: DiskBudget = DiskBudget(),
        repeatInterval: Duration = .seconds(60), logger: Logger
    ) {
        self.repeatInterval = repeatInterval
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
        let repeating = RateLimitedLogger(logger: logger, interval: repeatInterval)
        let thread = Thread {
            var ticks = 0
            while !stopFlag.isSet {
                usleep(UInt32(max(1000, tick.components.seconds * 1_000_000 + tick.components.attoseconds / 1_000_000_000_000)))
                ticks += 1
                Self.run(.fsync, log: log, repeating: repeating) { () throws(LogError) in try log.flushDue() }
                if ticks % budgetEvery == 0 {
                    Self.run(.diskBudget, log: log, repeating: repeating) { () throws(LogError) in
                        try Self.enforce(budget, on: log, keepFrom: keepFrom, logger: logger)
                    }
                }
                if ticks % retentionEvery == 0 {
                    Self.run(.retention, log: log, repeating: repeating) { () throws(LogError) in
                        for result in try log.applyRetention(keepFrom: keepFrom) where result.deletedSegments > 0 {
                            logger.info("retention deleted segments", metadata: [
                                "log.segments": "\(result.deletedSegments)", "log.records": "\(result.deletedRecords)",
                                "log.start_offset": "\(result.logStartOffset)",
                            ])
                        }
                    }
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
    /// Runs one pass, recording in the log's maintenance state whether it worked. Ticks come
    /// every few milliseconds, so a failing pass logs one line a minute and counts the rest.
    static func run(_ pass: LogMaintenanceState.Pass, log: LogManager, repeating: RateLimitedLogger, _ body: () throws(LogError) -> Void) {
        do {
            try body()
            if let ended = log.maintenanceState.noteSuccess(pass) {
                repeating.logger.notice("log maintenance works again", metadata: ["log.pass": "\(pass.rawValue)", "log.failed_runs": "\(ended.count)"])
            }
        } catch {
            log.maintenanceState.noteFailure(pass, error)
            repeating.error(key: pass.rawValue, "log maintenance failed", metadata: ["log.pass": "\(pass.rawValue)", "log.error": "\(error)"])
        }
    }

    /// One pass of the disk budget, logged when it deletes, drops or changes state.
    static func enforce(
        _ budget: DiskBudget, on log: LogManager, keepFrom: (Partition) -> Int64?, logger: Logger
    ) throws(LogError) {
        let result = try log.enforce(budget, keepFrom: keepFrom)
        if result.droppedUnforwardedRecords > 0 {
            logger.warning(
                "disk budget: dropped records that were not forwarded or processed by a stream job yet (storage.on_full: drop-oldest)",
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
