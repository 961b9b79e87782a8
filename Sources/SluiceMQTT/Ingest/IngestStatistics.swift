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
    private let appendFailingFlag = Atomic<Bool>(false)
    private let details = Mutex<Details>(Details())

    struct Details {
        var byReason: [String: Int] = [:]
        var byTopic: [String: Int] = [:]
        var bytesByTopic: [String: Int] = [:]
        var lastError: String?
        var pendingDevices: [String: IngestDeviceActivity] = [:]
        var droppedDeviceUpdates = 0
    }

    /// The most devices whose activity waits for ``takeDeviceActivity()``; more are not tracked
    /// until it is drained (counted in ``droppedDeviceUpdates``), so memory stays bounded even if
    /// nobody drains or a broken device invents a new id for every message.
    public static let maxPendingDevices = 50_000

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
    /// Payload bytes of accepted records, by topic.
    public var acceptedBytesByTopic: [String: Int] { details.withLock { $0.bytesByTopic } }
    /// Whether the last burst could not be written to the log (cleared by the next one written).
    public var isAppendFailing: Bool { appendFailingFlag.load(ordering: .relaxed) }
    /// Device activity not tracked because ``maxPendingDevices`` were waiting.
    public var droppedDeviceUpdates: Int { details.withLock { $0.droppedDeviceUpdates } }

    /// Takes the per-device activity gathered since the last call (one entry per device), for the
    /// device registry. Ingest hands it over about once a second, never per message.
    public func takeDeviceActivity() -> [IngestDeviceActivity] {
        details.withLock { details in
            defer { details.pendingDevices.removeAll(keepingCapacity: true) }
            return Array(details.pendingDevices.values)
        }
    }

    func noteDeviceActivity(_ window: [String: IngestDeviceActivity]) {
        details.withLock { details in
            for (id, activity) in window {
                if var pending = details.pendingDevices[id] {
                    pending.merge(activity)
                    details.pendingDevices[id] = pending
                } else if details.pendingDevices.count < Self.maxPendingDevices {
                    details.pendingDevices[id] = activity
                } else {
                    details.droppedDeviceUpdates += 1
                }
            }
        }
    }
    /// The last error seen, for `status`.
    public var lastError: String? { details.withLock { $0.lastError } }

    func noteBurst(received: Int, acceptedByTopic: [String: Int], bytesByTopic: [String: Int] = [:], deadLettersByReason: [String: Int]) {
        appendFailingFlag.store(false, ordering: .relaxed)
        receivedCounter.add(received, ordering: .relaxed)
        acceptedCounter.add(acceptedByTopic.values.reduce(0, +), ordering: .relaxed)
        deadLetteredCounter.add(deadLettersByReason.values.reduce(0, +), ordering: .relaxed)
        burstsCounter.add(1, ordering: .relaxed)
        if received > largestBurstValue.load(ordering: .relaxed) { largestBurstValue.store(received, ordering: .relaxed) }
        details.withLock { details in
            for (topic, count) in acceptedByTopic { details.byTopic[topic, default: 0] += count }
            for (topic, bytes) in bytesByTopic { details.bytesByTopic[topic, default: 0] += bytes }
            for (reason, count) in deadLettersByReason { details.byReason[reason, default: 0] += count }
        }
    }

    func noteConnected(_ connected: Bool) {
        connectedFlag.store(connected, ordering: .relaxed)
        if connected { connectsCounter.add(1, ordering: .relaxed) }
    }

    func noteAppendFailure(_ message: String) {
        appendFailuresCounter.add(1, ordering: .relaxed)
        appendFailingFlag.store(true, ordering: .relaxed)
        noteError(message)
    }

    func noteError(_ message: String) { details.withLock { $0.lastError = message } }
}
