import Synchronization

/// What the forwarder did and where it stands, per partition; read by status, retention and tests.
///
/// Thread-safety: atomics and a lock; safe from any thread.
public final class ForwardStatistics: Sendable {
    /// One local partition's forwarding state.
    public struct PartitionState: Sendable, Equatable {
        /// The first offset not yet delivered upstream (committed or about to be).
        public var cursor: Int64
        /// The partition's high watermark when last looked at.
        public var highWatermark: Int64
        /// Whether forwarding stopped on an unrecoverable error (policy halt).
        public var isHalted: Bool
        /// Records not yet forwarded.
        public var lag: Int64 { max(0, highWatermark - cursor) }
    }

    private let producedCounter = Atomic<Int>(0)
    private let deliveredCounter = Atomic<Int>(0)
    private let failedCounter = Atomic<Int>(0)
    private let skippedCounter = Atomic<Int>(0)
    private let retriedCounter = Atomic<Int>(0)
    private let state = Mutex<(partitions: [String: PartitionState], lastError: String?, lastDeliveryMillis: Int64?)>(([:], nil, nil))
    private let errorKinds = Mutex<[String: Int]>([:])

    /// Creates zeroed statistics.
    public init() {}

    /// Records handed to the producer.
    public var produced: Int { producedCounter.load(ordering: .relaxed) }
    /// Records whose delivery upstream was confirmed.
    public var delivered: Int { deliveredCounter.load(ordering: .relaxed) }
    /// Records upstream refused for good.
    public var failed: Int { failedCounter.load(ordering: .relaxed) }
    /// Refused records skipped to the dead-letter topic (policy skip).
    public var skipped: Int { skippedCounter.load(ordering: .relaxed) }
    /// Produce calls retried because the producer's queue was full.
    public var retried: Int { retriedCounter.load(ordering: .relaxed) }
    /// The last error reported by the producer, if any.
    public var lastError: String? { state.withLock { $0.lastError } }
    /// When the last delivery was confirmed (ms since the epoch).
    public var lastDeliveryMillis: Int64? { state.withLock { $0.lastDeliveryMillis } }
    /// Upstream errors by kind: librdkafka's client errors by name (`transport`,
    /// `all_brokers_down`, `resolve`, …), `refused` (a record refused for good),
    /// `deleted_before_forwarding`, `cursor_commit`.
    public var errorsByKind: [String: Int] { errorKinds.withLock { $0 } }
    /// Per `topic-partition`.
    public var partitions: [String: PartitionState] { state.withLock { $0.partitions } }

    /// The forward cursor of a local partition, if it is forwarded.
    public func cursor(topic: String, partition: Int) -> Int64? {
        state.withLock { $0.partitions["\(topic)-\(partition)"]?.cursor }
    }

    func noteProduced(_ count: Int) { producedCounter.add(count, ordering: .relaxed) }
    func noteRetried() { retriedCounter.add(1, ordering: .relaxed) }
    func noteDelivered(_ count: Int, nowMillis: Int64) {
        deliveredCounter.add(count, ordering: .relaxed)
        state.withLock { $0.lastDeliveryMillis = nowMillis }
    }
    /// Counts an upstream error of `kind` and keeps `message` as the last error.
    func noteError(kind: String, _ message: String) {
        errorKinds.withLock { $0[kind, default: 0] += 1 }
        noteError(message)
    }
    func noteFailed(_ message: String, skipped: Bool) {
        errorKinds.withLock { $0["refused", default: 0] += 1 }
        failedCounter.add(1, ordering: .relaxed)
        if skipped { skippedCounter.add(1, ordering: .relaxed) }
        state.withLock { $0.lastError = message }
    }
    func noteError(_ message: String) { state.withLock { $0.lastError = message } }
    func update(_ key: String, _ partition: PartitionState) { state.withLock { $0.partitions[key] = partition } }
}
