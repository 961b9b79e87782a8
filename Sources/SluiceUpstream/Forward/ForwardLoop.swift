import Logging
import SluiceCatalog
import SluiceConfiguration
import SluiceLog
import Synchronization

/// The forwarder, run on its own thread: reads each forwarded partition from its cursor, hands
/// the records to librdkafka (which batches, compresses, retries and keeps order per upstream
/// partition with the idempotent producer), moves each cursor over the records whose delivery
/// succeeded, and commits the cursors to the catalog every `cursorCommitInterval`. Memory is
/// bounded by `maxInFlightBytes`, not by the backlog: the log stays on disk until the producer
/// has room.
///
/// Thread-safety: confined to the forward thread.
final class ForwardLoop {
    private struct Slot {
        var partition: Partition
        var upstreamTopic: String
        var window: ForwardWindow
        var isHalted = false
        var key: String { "\(partition.topic)-\(partition.index)" }
    }

    private let settings: UpstreamSettings
    private let gatewayID: String
    private let catalog: Catalog
    private let producer: RDKafkaProducer
    private let reports: DeliveryInbox
    private let statistics: ForwardStatistics
    private let deadLetters: Partition?
    private let isStopping: @Sendable () -> Bool
    private let logger: Logger
    /// Errors that can repeat per record (skips) or per commit: one line per kind per minute.
    private let repeating: RateLimitedLogger
    private var slots: [Slot] = []
    private var lastCommit = ContinuousClock.now
    private var committed: [TopicPartitionKey: Int64] = [:]
    private let readBytes = 256 * 1024

    init(
        settings: UpstreamSettings, gatewayID: String, partitions: [Partition], catalog: Catalog, producer: RDKafkaProducer,
        reports: DeliveryInbox, statistics: ForwardStatistics, deadLetters: Partition?, isStopping: @escaping @Sendable () -> Bool,
        logger: Logger
    ) throws(UpstreamError) {
        self.settings = settings
        self.gatewayID = gatewayID
        self.catalog = catalog
        self.producer = producer
        self.reports = reports
        self.statistics = statistics
        self.deadLetters = deadLetters
        self.isStopping = isStopping
        self.logger = logger
        self.repeating = RateLimitedLogger(logger: logger)
        do {
            committed = try catalog.forwardCursors(upstream: settings.name)
        } catch {
            throw UpstreamError(code: .configuration, message: "cannot read the forward cursors from the catalog: \(error)")
        }
        for partition in partitions {
            let key = TopicPartitionKey(topic: partition.topic, partition: partition.index)
            let cursor = max(committed[key] ?? partition.logStartOffset, partition.logStartOffset)
            slots.append(Slot(partition: partition, upstreamTopic: settings.upstreamTopic(for: partition.topic), window: ForwardWindow(cursor: cursor)))
        }
    }

    /// Runs until `isStopping` says so; then waits (bounded) for what is in flight and commits.
    func run() {
        while !isStopping() {
            let produced = produceAvailable()
            _ = producer.poll(timeoutMilliseconds: produced ? 0 : 20)
            drainReports()
            commitIfDue(force: false)
        }
        _ = producer.flush(timeout: .seconds(5))
        drainReports()
        commitIfDue(force: true)
        logger.info("forwarder stopped", metadata: ["upstream.in_flight": "\(slots.reduce(0) { $0 + $1.window.inFlightCount })"])
    }

    /// Produces what each partition has beyond its read position while the in-flight budget lasts.
    /// Returns whether anything was produced.
    private func produceAvailable() -> Bool {
        var producedAny = false
        for index in slots.indices where !slots[index].isHalted {
            while inFlightBytes < settings.maxInFlightBytes && !isStopping() {
                let partition = slots[index].partition
                let start = slots[index].window.readPosition
                if start < partition.logStartOffset {
                    let lost = partition.logStartOffset - start
                    logger.warning("records deleted before they were forwarded", metadata: ["upstream.partition": "\(slots[index].key)", "upstream.records": "\(lost)"])
                    statistics.noteError(kind: "deleted_before_forwarding", "\(lost) records of \(slots[index].key) were deleted by retention before forwarding")
                    slots[index].window.skip(to: partition.logStartOffset)
                    continue
                }
                guard start < partition.highWatermark else { break }
                guard let records = try? partition.records(from: start, maxBytes: readBytes), !records.isEmpty else { break }
                for record in records where record.offset >= start {
                    if !produce(record, slot: index) { return producedAny }
                    producedAny = true
                    if slots[index].isHalted { break }
                }
                if slots[index].isHalted { break }
                if let last = records.last, last.offset + 1 > slots[index].window.readPosition {
                    slots[index].window.skip(to: last.offset + 1)
                }
            }
        }
        publishState()
        return producedAny
    }

    private var inFlightBytes: Int { slots.reduce(0) { $0 + $1.window.inFlightBytes } }

    /// Hands one record to the producer, retrying while its queue is full. Returns false when stopping.
    private func produce(_ record: Record, slot index: Int) -> Bool {
        var headers = record.headers.map { ($0.key, $0.value ?? []) }
        headers.append(("sluice.gateway", Array(gatewayID.utf8)))
        headers.append(("sluice.topic", Array(slots[index].partition.topic.utf8)))
        headers.append(("sluice.partition", Array(String(slots[index].partition.index).utf8)))
        headers.append(("sluice.offset", Array(String(record.offset).utf8)))
        let size = (record.key?.count ?? 0) + (record.value?.count ?? 0) + 64
        let correlation = UInt64(index) << 40 | UInt64(record.offset & 0xFF_FFFF_FFFF)
        while true {
            let topic = slots[index].upstreamTopic
            let producer = self.producer
            let result: Result<Void, UpstreamError> = withOptionalBytes(record.key) { key in
                withOptionalBytes(record.value) { value in
                    Result { () throws(UpstreamError) in
                        try producer.produce(
                            topic: topic, partition: nil, key: key, value: value, headers: headers,
                            timestampMillis: record.timestamp, correlation: correlation)
                    }
                }
            }
            switch result {
            case .success:
                slots[index].window.produced(offset: record.offset, bytes: size)
                statistics.noteProduced(1)
                return true
            case .failure(let error) where error.code == .queueFull:
                statistics.noteRetried()
                _ = producer.poll(timeoutMilliseconds: 10)
                drainReports()
                if isStopping() { return false }
            case .failure(let error):
                // Refused before it left (e.g. larger than message.max.bytes): it will never succeed.
                refuse(index, offset: record.offset, reason: "\(error)", size: size)
                return true
            }
        }
    }

    /// Applies the delivery reports collected by the producer's callback.
    private func drainReports() {
        var delivered = 0
        for report in reports.take() {
            let index = Int(report.correlation >> 40)
            guard slots.indices.contains(index) else { continue }
            let base = slots[index].window.readPosition
            let low40 = Int64(report.correlation & 0xFF_FFFF_FFFF)
            // Rebuild the full offset from its low 40 bits (offsets in flight are near readPosition).
            var offset = (base & ~0xFF_FFFF_FFFF) | low40
            if offset > base { offset -= 1 << 40 }
            if let error = report.error {
                if settings.onUnrecoverable == .skip {
                    statistics.noteFailed("\(slots[index].key) offset \(offset): \(error)", skipped: true)
                    repeating.error(key: "skip-" + slots[index].key, "upstream refused a record; skipped (on_unrecoverable: skip)", metadata: ["upstream.partition": "\(slots[index].key)", "upstream.offset": "\(offset)", "upstream.error": "\(error)"])
                    slots[index].window.delivered(offset: offset)
                } else {
                    halt(index, reason: "\(error)", offset: offset)
                }
            } else {
                slots[index].window.delivered(offset: offset)
                delivered += 1
            }
        }
        if delivered > 0 { statistics.noteDelivered(delivered, nowMillis: LogClock.nowMillis()) }
    }

    /// A record the producer refused outright: skipped (counted, logged) or the partition halts.
    private func refuse(_ index: Int, offset: Int64, reason: String, size: Int) {
        guard settings.onUnrecoverable == .skip else { return halt(index, reason: "produce failed: \(reason)", offset: offset) }
        statistics.noteFailed("\(slots[index].key) offset \(offset): \(reason)", skipped: true)
        repeating.error(key: "skip-" + slots[index].key, "upstream refused a record; skipped (on_unrecoverable: skip)", metadata: [
            "upstream.partition": "\(slots[index].key)", "upstream.offset": "\(offset)", "upstream.error": "\(reason)",
        ])
        slots[index].window.produced(offset: offset, bytes: size)
        slots[index].window.delivered(offset: offset)
    }

    /// Stops forwarding a partition at `offset`: its cursor stays there (nothing after it is
    /// produced; what is in flight still completes), so a restart after the cause is fixed retries it.
    private func halt(_ index: Int, reason: String, offset: Int64) {
        guard !slots[index].isHalted else { return }
        slots[index].isHalted = true
        slots[index].window.haltAt(offset)
        statistics.noteFailed("\(slots[index].key) halted at offset \(offset): \(reason)", skipped: false)
        logger.error("upstream refused a record; forwarding of this partition halted (on_unrecoverable: halt)", metadata: [
            "upstream.partition": "\(slots[index].key)", "upstream.offset": "\(offset)", "upstream.error": "\(reason)",
        ])
    }

    private func publishState() {
        for slot in slots {
            statistics.update(slot.key, .init(cursor: slot.window.cursor, highWatermark: slot.partition.highWatermark, isHalted: slot.isHalted))
        }
    }

    /// Saves the cursors that moved, at most once per `cursorCommitInterval` (or now, with `force`).
    private func commitIfDue(force: Bool) {
        guard force || ContinuousClock.now - lastCommit >= settings.cursorCommitInterval else { return }
        lastCommit = .now
        var changed: [TopicPartitionKey: Int64] = [:]
        for slot in slots {
            let key = TopicPartitionKey(topic: slot.partition.topic, partition: slot.partition.index)
            if committed[key] != slot.window.cursor { changed[key] = slot.window.cursor }
        }
        publishState()
        guard !changed.isEmpty else { return }
        do {
            try catalog.saveForwardCursors(upstream: settings.name, changed, nowMillis: LogClock.nowMillis())
            committed.merge(changed) { $1 }
        } catch {
            statistics.noteError(kind: "cursor_commit", "cannot save forward cursors: \(error)")
            repeating.error(key: "cursors", "cannot save forward cursors", metadata: ["catalog.error": "\(error)"])
        }
    }
}

/// Collects delivery reports from librdkafka's callback for the forward thread to apply.
final class DeliveryInbox: Sendable {
    private let reports = Mutex<[DeliveryReport]>([])
    func add(_ report: DeliveryReport) { reports.withLock { $0.append(report) } }
    func take() -> [DeliveryReport] { reports.withLock { reports in defer { reports.removeAll(keepingCapacity: true) }; return reports } }
}

private func withOptionalBytes<Value>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> Value) -> Value {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}
