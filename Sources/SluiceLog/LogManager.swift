import Logging
import Synchronization

/// The log store: topics split into partitions under one data directory
/// (`<directory>/<topic>-<partition>/<baseOffset:020>.log`).
///
/// Topics are opened with the settings the caller keeps (configuration file, catalog); opening
/// recovers only the active segment of each partition, so start-up time does not grow with the
/// number of closed segments.
///
/// Thread-safety: all methods may be called from any thread.
public final class LogManager: Sendable {
    /// The data directory.
    public let directory: String
    /// Counters shared by all partitions.
    public let statistics = LogStatistics()
    /// Signalled after every append to any partition: readers waiting for new records wake on it.
    public let appendSignal = AppendSignal()
    /// The disk budget as last enforced (``enforce(_:keepFrom:)`` does not update it; the
    /// service that enforces the budget does).
    public let diskBudgetState = DiskBudgetState()
    /// Whether the last background pass (fsyncs, disk budget, retention) succeeded.
    public let maintenanceState = LogMaintenanceState()
    private let logger: Logger
    private let topics = Mutex<[String: [Partition]]>([:])
    private let recoveriesByPartition = Mutex<[String: SegmentRecovery]>([:])

    /// Whether the log was opened for reading only (tools beside a running daemon): nothing is
    /// created, cut, deleted or appended.
    public let isReadOnly: Bool

    /// Opens the data directory, creating it if needed, and checks that it can be written.
    /// - Parameter readOnly: open for reading only, e.g. `sluice topics` beside a running daemon.
    /// - Throws: `LogError` `.permissionDenied` or `.ioFailure` naming the directory.
    public init(directory: String, readOnly: Bool = false, logger: Logger = Logger(label: "sluice.log")) throws(LogError) {
        if readOnly {
            _ = try LogDirectory.entries(directory)
        } else {
            try LogDirectory.prepare(directory)
        }
        self.directory = directory
        self.isReadOnly = readOnly
        self.logger = logger
    }

    /// Whether `name` is a legal topic name: 1–249 of `[A-Za-z0-9._-]`, not "." or "..".
    public static func isValidTopicName(_ name: String) -> Bool {
        guard (1...249).contains(name.utf8.count), name != ".", name != ".." else { return false }
        return name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
    }

    /// Opens a topic's partitions, creating directories for new ones and recovering existing ones.
    /// Opening an open topic returns its partitions.
    /// - Parameters:
    ///   - name: the topic name.
    ///   - configuration: the topic's settings (partition count among them).
    /// - Returns: the partitions, by index.
    /// - Throws: `LogError` `.invalidArgument` for a bad name or configuration, or an I/O error.
    @discardableResult
    public func openTopic(_ name: String, configuration: TopicConfiguration = TopicConfiguration()) throws(LogError) -> [Partition] {
        guard Self.isValidTopicName(name) else {
            throw LogError(
                code: .invalidArgument,
                message: "topic name '\(name)' is invalid: use 1–249 letters, digits, '.', '_' or '-'")
        }
        if let problem = configuration.problem {
            throw LogError(code: .invalidArgument, message: "topic \(name): \(problem)")
        }
        if let open = topics.withLock({ $0[name] }) { return open }
        var partitions: [Partition] = []
        for index in 0..<configuration.partitionCount {
            let path = "\(directory)/\(name)-\(index)"
            let (partition, recovery) = try Partition.open(
                topic: name, index: index, directory: path, configuration: configuration, statistics: statistics,
                logger: logger, readOnly: isReadOnly, appendSignal: appendSignal)
            partitions.append(partition)
            recoveriesByPartition.withLock { $0["\(name)-\(index)"] = recovery }
        }
        let opened = partitions
        return topics.withLock { topics in
            if let raced = topics[name] { return raced }
            topics[name] = opened
            return opened
        }
    }

    /// A partition of an open topic.
    /// - Throws: `LogError.unknownTopicOrPartition` if the topic is not open or has no such partition.
    public func partition(_ topic: String, _ index: Int) throws(LogError) -> Partition {
        guard let partitions = topics.withLock({ $0[topic] }), partitions.indices.contains(index) else {
            throw LogError(code: .unknownTopicOrPartition, message: "no partition \(topic)-\(index) is open")
        }
        return partitions[index]
    }

    /// The partitions of an open topic, or nil.
    public func partitions(of topic: String) -> [Partition]? { topics.withLock { $0[topic] } }

    /// Names of the open topics, sorted.
    public var topicNames: [String] { topics.withLock { $0.keys.sorted() } }

    /// Every open partition.
    public var allPartitions: [Partition] { topics.withLock { topics in topics.keys.sorted().flatMap { topics[$0]! } } }

    /// What recovery found when each partition (`topic-index`) was opened.
    public var recoveries: [String: SegmentRecovery] { recoveriesByPartition.withLock { $0 } }

    /// Topics found in the data directory (by their `<topic>-<n>` folders) with their partition counts.
    public func existingTopics() throws(LogError) -> [String: Int] {
        var counts: [String: Int] = [:]
        for name in try LogDirectory.entries(directory) {
            guard let dash = name.lastIndex(of: "-"), let index = Int(name[name.index(after: dash)...]) else { continue }
            let topic = String(name[..<dash])
            guard Self.isValidTopicName(topic) else { continue }
            counts[topic] = max(counts[topic] ?? 0, index + 1)
        }
        return counts
    }

    /// fsyncs every partition whose group-commit interval has passed.
    /// - Returns: the number of fsyncs done.
    @discardableResult
    public func flushDue(now: ContinuousClock.Instant = .now) throws(LogError) -> Int {
        var count = 0
        for partition in allPartitions where try partition.flushIfDue(now: now) { count += 1 }
        return count
    }

    /// fsyncs every partition holding unsynced data.
    public func flushAll() throws(LogError) {
        for partition in allPartitions { try partition.flush() }
    }

    /// Applies retention to every partition (see `Partition.applyRetention`).
    /// - Parameter keepFrom: for a partition, the first offset that must be kept (e.g. its forward cursor).
    public func applyRetention(
        nowMillis: Int64 = LogClock.nowMillis(), keepFrom: (Partition) -> Int64? = { _ in nil }
    ) throws(LogError) -> [RetentionResult] {
        var results: [RetentionResult] = []
        for partition in allPartitions {
            results.append(try partition.applyRetention(nowMillis: nowMillis, keepFrom: keepFrom(partition)))
        }
        return results
    }

    /// fsyncs and closes every partition and forgets them.
    public func close() throws(LogError) {
        guard !isReadOnly else { return }
        let all = topics.withLock { topics in
            let all = topics.values.flatMap { $0 }
            topics.removeAll()
            return all
        }
        for partition in all { try partition.close() }
    }
}
