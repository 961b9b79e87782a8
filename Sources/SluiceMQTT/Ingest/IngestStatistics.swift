import Synchronization

/// Counters of what ingest did; read by `sluice status`, metrics and the tests.
///
/// Thread-safety: atomics and a lock; safe from any thread.
public final class IngestStatistics: Sendable {
    private let receivedCounter = Atomic<Int>(0)
    private let acceptedCounter = Atomic<Int>(0)
    private let deadLetteredCounter = Atomic<Int>(0)
    private let burstsCounter = Atomic<Int>(0)
    private let connectsCounter = Atomic<Int>(0)
    private let appendFailuresCounter = Atomic<Int>(0)
    private let connectedFlag = Atomic<Bool>(false)
    private let largestBurstValue = Atomic<Int>(0)
    private let details = Mutex<Details>(Details())

    struct Details {
        var byReason: [String: Int] = [:]
        var byTopic: [String: Int] = [:]
        var lastError: String?
    }

    /// Creates zeroed counters.
    public init() {}

    /// MQTT messages received.
    public var received: Int { receivedCounter.load(ordering: .relaxed) }
    /// Messages appended to their profile's topic.
    public var accepted: Int { acceptedCounter.load(ordering: .relaxed) }
    /// Messages appended to the dead-letter topic.
    public var deadLettered: Int { deadLetteredCounter.load(ordering: .relaxed) }
    /// Read bursts written (each ends with one round of acknowledgements).
    public var bursts: Int { burstsCounter.load(ordering: .relaxed) }
    /// Successful connections to the broker.
    public var connects: Int { connectsCounter.load(ordering: .relaxed) }
    /// Bursts that could not be written (their messages were not acknowledged).
    public var appendFailures: Int { appendFailuresCounter.load(ordering: .relaxed) }
    /// The most messages read in one burst (what one crash can duplicate).
    public var largestBurst: Int { largestBurstValue.load(ordering: .relaxed) }
    /// Whether the broker connection is up.
    public var isConnected: Bool { connectedFlag.load(ordering: .relaxed) }
    /// Dead letters by reason.
    public var deadLettersByReason: [String: Int] { details.withLock { $0.byReason } }
    /// Accepted records by topic.
    public var acceptedByTopic: [String: Int] { details.withLock { $0.byTopic } }
    /// The last error seen, for `status`.
    public var lastError: String? { details.withLock { $0.lastError } }

    func noteBurst(received: Int, acceptedByTopic: [String: Int], deadLettersByReason: [String: Int]) {
        receivedCounter.add(received, ordering: .relaxed)
        acceptedCounter.add(acceptedByTopic.values.reduce(0, +), ordering: .relaxed)
        deadLetteredCounter.add(deadLettersByReason.values.reduce(0, +), ordering: .relaxed)
        burstsCounter.add(1, ordering: .relaxed)
        if received > largestBurstValue.load(ordering: .relaxed) { largestBurstValue.store(received, ordering: .relaxed) }
        details.withLock { details in
            for (topic, count) in acceptedByTopic { details.byTopic[topic, default: 0] += count }
            for (reason, count) in deadLettersByReason { details.byReason[reason, default: 0] += count }
        }
    }

    func noteConnected(_ connected: Bool) {
        connectedFlag.store(connected, ordering: .relaxed)
        if connected { connectsCounter.add(1, ordering: .relaxed) }
    }

    func noteAppendFailure(_ message: String) {
        appendFailuresCounter.add(1, ordering: .relaxed)
        noteError(message)
    }

    func noteError(_ message: String) { details.withLock { $0.lastError = message } }
}
