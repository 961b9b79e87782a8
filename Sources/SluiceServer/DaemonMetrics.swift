import Prometheus
import SluiceCatalog
import SluiceConfiguration
import SluiceLog
import SluiceMQTT
import SluiceMetrics
import SluiceUpstream
import Synchronization

/// The daemon's Prometheus metrics, sampled at scrape time from the statistics the parts keep
/// anyway (``IngestStatistics``, ``LogStatistics``, ``ForwardStatistics``, the log's partitions
/// and ``OperationsState``): nothing is added to the per-record path. Counters advance by what
/// their source counted since the last scrape; gauges are set.
///
/// The registry is this daemon's own (never a global bootstrap), so several daemons can run in
/// one process.
///
/// Thread-safety: the registry is thread-safe; the last-seen values sit behind a lock, so
/// concurrent scrapes never count twice.
public final class DaemonMetrics: Sendable {
    /// The registry `/metrics` renders.
    public let registry: PrometheusCollectorRegistry
    private let configuration: SluiceConfiguration
    private let log: LogManager
    private let ingest: IngestStatistics
    private let forward: ForwardStatistics?
    private let operations: OperationsState
    private let startedAtSeconds = Double(LogClock.nowMillis()) / 1000
    private let sampled = Mutex<[String: Int]>([:])

    /// Creates the metrics of one daemon.
    public init(
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), configuration: SluiceConfiguration, log: LogManager,
        ingest: IngestStatistics, forward: ForwardStatistics?, operations: OperationsState
    ) {
        self.registry = registry
        self.configuration = configuration
        self.log = log
        self.ingest = ingest
        self.forward = forward
        self.operations = operations
    }

    /// Brings every metric up to date; call it before rendering the registry.
    public func sample() {
        sampled.withLock { last in
            func count(_ name: String, _ help: String, _ labels: [(String, String)], _ value: Int) {
                let key = name + labels.map { "|\($0.0)=\($0.1)" }.joined()
                let descriptor = MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
                let counter = labels.isEmpty
                    ? registry.makeCounter(descriptor: descriptor) : registry.makeCounter(descriptor: descriptor, labels: labels)
                let delta = value - (last[key] ?? 0)
                if delta > 0 { counter.increment(by: Int64(delta)) }
                last[key] = max(value, last[key] ?? 0)
            }
            func gauge(_ name: String, _ help: String, _ labels: [(String, String)], _ value: Double) {
                let descriptor = MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
                let gauge = labels.isEmpty ? registry.makeGauge(descriptor: descriptor) : registry.makeGauge(descriptor: descriptor, labels: labels)
                gauge.set(value)
            }

            // Ingest.
            count("sluice_mqtt_messages_received_total", "MQTT messages received from the broker.", [], ingest.received)
            let bytes = ingest.acceptedBytesByTopic
            let records = ingest.acceptedByTopic
            for profileTopic in Set(configuration.profiles.map(\.topic)).sorted() {
                count("sluice_ingest_messages_total", "MQTT messages stored in their device profile's topic.", [("topic", profileTopic)], records[profileTopic] ?? 0)
                count("sluice_ingest_bytes_total", "Payload bytes of the messages stored, by topic.", [("topic", profileTopic)], bytes[profileTopic] ?? 0)
            }
            let deadLetters = ingest.deadLettersByReason
            for reason in DeadLetterReason.allCases {
                count("sluice_dead_letters_total", "Messages sent to the dead-letter topic, by reason.", [("reason", reason.rawValue)], deadLetters[reason.rawValue] ?? 0)
            }
            count("sluice_ingest_append_failures_total", "Bursts that could not be written to the log (not acknowledged).", [], ingest.appendFailures)
            count("sluice_mqtt_connects_total", "Successful connections to the MQTT broker.", [], ingest.connects)
            gauge("sluice_mqtt_connected", "1 while the MQTT session is up.", [], ingest.isConnected ? 1 : 0)

            // The log.
            let statistics = log.statistics
            count("sluice_log_appends_total", "Batches appended to the log.", [], statistics.appendedBatches)
            count("sluice_log_records_appended_total", "Records appended to the log.", [], statistics.appendedRecords)
            count("sluice_log_fsyncs_total", "fsync/fdatasync calls on segment and index files.", [], statistics.fsyncs)
            count("sluice_log_written_bytes_total", "Bytes written to segment and index files.", [], statistics.bytesWritten)
            count("sluice_log_retention_deleted_segments_total", "Segments deleted by retention.", [], statistics.deletedSegments)
            count("sluice_log_retention_deleted_records_total", "Records in segments deleted by retention.", [], statistics.deletedRecords)
            var diskBytes = 0
            var highWatermarks: [TopicPartitionKey: Int64] = [:]
            for topic in log.topicNames {
                for partition in log.partitions(of: topic) ?? [] {
                    diskBytes += partition.sizeBytes
                    highWatermarks[TopicPartitionKey(topic: topic, partition: partition.index)] = partition.highWatermark
                }
            }
            gauge("sluice_disk_used_bytes", "Bytes of segment files in the data directory.", [], Double(diskBytes))
            if let free = DaemonHealth.freeBytes(configuration.dataDirectory) {
                gauge("sluice_disk_free_bytes", "Bytes still free for Sluice on the data directory's filesystem.", [], Double(free))
            }
            if let maxBytes = configuration.storage.maxBytes {
                gauge("sluice_disk_budget_max_bytes", "storage.max_bytes: the most the segments may take.", [], Double(maxBytes))
            }
            gauge("sluice_disk_budget_exceeded", "1 while the disk budget is exceeded and ingest is paused.", [], log.diskBudgetState.isExceeded ? 1 : 0)
            gauge("sluice_log_maintenance_failing", "1 while the log's fsync, disk budget or retention passes fail.", [], log.maintenanceState.currentFailures.isEmpty ? 0 : 1)
            count("sluice_disk_budget_dropped_records_total", "Records deleted by the disk budget before they were forwarded or read by a stream job (on_full: drop-oldest).", [], statistics.droppedRecords)

            // Forwarding.
            if let forward {
                count("sluice_forward_produced_total", "Records handed to the upstream producer.", [], forward.produced)
                count("sluice_forward_delivered_total", "Records whose upstream delivery was confirmed.", [], forward.delivered)
                for (kind, errors) in forward.errorsByKind {
                    count("sluice_upstream_errors_total", "Upstream errors by kind (librdkafka's error name, refused, ...).", [("kind", kind)], errors)
                }
                let oldest = Dictionary(
                    (operations.report?.upstream?.partitions ?? []).map { ($0.partition, $0.oldestUnforwardedMillis) }, uniquingKeysWith: { $1 })
                let now = LogClock.nowMillis()
                for (key, state) in forward.partitions {
                    let labels = Self.partitionLabels(key)
                    gauge("sluice_forward_lag_records", "Records not yet forwarded upstream, per partition.", labels, Double(state.lag))
                    let age = state.lag > 0 ? (oldest[key] ?? nil).map { Double(max(0, now - $0)) / 1000 } ?? 0 : 0
                    gauge("sluice_forward_lag_seconds", "Age of the oldest record not yet forwarded, per partition (0 when none).", labels, age)
                    gauge("sluice_forward_halted", "1 when forwarding of the partition halted on a refused record.", labels, state.isHalted ? 1 : 0)
                }
            }

            // Consumer groups of the Kafka listener (committed offsets from the catalog).
            for (group, offsets) in operations.groupOffsets {
                for (key, committed) in offsets {
                    guard let end = highWatermarks[key] else { continue }
                    gauge(
                        "sluice_consumer_group_lag_records", "Records after a consumer group's committed offset, per partition.",
                        [("group", group), ("topic", key.topic), ("partition", String(key.partition))], Double(max(0, end - committed)))
                }
            }

            // Devices.
            if let devices = operations.devices {
                gauge("sluice_devices_known", "Devices the gateway has heard from.", [], Double(devices.knownDevices))
                gauge("sluice_devices_seen_last_minute", "Devices heard from in the last 60 s.", [], Double(devices.seenLastMinute))
                gauge("sluice_devices_quiet", "Devices silent for longer than metrics.quiet_after.", [], Double(devices.quietCount))
            }

            // The process.
            if let resident = ProcessMemory.residentBytes() {
                gauge("process_resident_memory_bytes", "Resident memory of the sluice process (/proc/self/statm).", [], Double(resident))
            }
            gauge("process_start_time_seconds", "When the daemon started, in seconds since the epoch.", [], startedAtSeconds)
            gauge("sluice_healthy", "1 while /healthz answers 200.", [], DaemonHealth.check(configuration: configuration, ingest: ingest, diskBudget: log.diskBudgetState, maintenance: log.maintenanceState).isHealthy ? 1 : 0)
        }
    }

    /// `topic-3` → `topic="topic", partition="3"`.
    static func partitionLabels(_ key: String) -> [(String, String)] {
        guard let dash = key.lastIndex(of: "-") else { return [("topic", key), ("partition", "")] }
        return [("topic", String(key[..<dash])), ("partition", String(key[key.index(after: dash)...]))]
    }
}
