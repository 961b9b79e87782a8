import Foundation
import Logging
import ServiceLifecycle
import SluiceConfiguration
import SluiceLog
import SluiceMQTT
import SluiceMetrics
import SluiceUpstream
import Synchronization
import SluiceStreams

/// Writes a `StatusReport` every `interval` into the runtime directory (`$RUNTIME_DIRECTORY`,
/// i.e. /run/sluice under systemd, a tmpfs: no SD-card writes), for `sluice status`.
public struct StatusService: Service {
    private let configuration: SluiceConfiguration
    private let log: LogManager
    private let ingest: IngestStatistics
    private let forward: ForwardStatistics?
    private let streams: StreamStatistics?
    private let directory: String
    private let interval: Duration
    private let logger: Logger
    private let startedAt = LogClock.nowMillis()
    private let operations: OperationsState?

    /// Creates the service.
    public init(
        configuration: SluiceConfiguration, log: LogManager, ingest: IngestStatistics, forward: ForwardStatistics? = nil,
        directory: String, interval: Duration = .seconds(2), operations: OperationsState? = nil, streams: StreamStatistics? = nil,
        logger: Logger
    ) {
        self.operations = operations
        self.streams = streams
        self.configuration = configuration
        self.log = log
        self.ingest = ingest
        self.forward = forward
        self.directory = directory
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        var previous: (millis: Int64, byTopic: [String: Int]) = (startedAt, [:])
        var previousBytes: [String: Int] = [:]
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var report = snapshot(previous: previous)
            let previousMillis = previous.millis
            previous = (report.generatedAtMillis, ingest.acceptedByTopic)
            if let operations {
                addOperations(to: &report, operations, previousBytes: previousBytes, previousMillis: previousMillis)
                previousBytes = ingest.acceptedBytesByTopic
                operations.publish(report)
            }
            do {
                try report.write(to: directory)
            } catch {
                logger.warning("could not write the status file", metadata: ["status.error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
        try? FileManager.default.removeItem(atPath: directory + "/" + StatusReport.fileName)
    }

    /// Adds what the operations endpoint shows beyond the counters: bytes per topic, devices,
    /// health, the last errors, disk free and memory.
    private func addOperations(to report: inout StatusReport, _ operations: OperationsState, previousBytes: [String: Int], previousMillis: Int64) {
        let bytes = ingest.acceptedBytesByTopic
        let seconds = max(0.001, Double(report.generatedAtMillis - previousMillis) / 1000)
        for index in report.topics.indices {
            let name = report.topics[index].name
            report.topics[index].bytesIngested = bytes[name] ?? 0
            report.topics[index].bytesPerSecond = Double((bytes[name] ?? 0) - (previousBytes[name] ?? 0)) / seconds
        }
        operations.noteErrors(
            [(source: "mqtt", message: ingest.lastError), (source: "upstream", message: forward?.lastError)], nowMillis: report.generatedAtMillis)
        report.devices = operations.devices
        report.healthProblems = DaemonHealth.check(configuration: configuration, ingest: ingest, diskBudget: log.diskBudgetState, maintenance: log.maintenanceState).problems
        report.recentErrors = operations.recentErrors
        report.diskFreeBytes = DaemonHealth.freeBytes(configuration.dataDirectory)
        report.residentBytes = ProcessMemory.residentBytes()
        report.statusPage = operations.statusPage.withLock { $0 }
    }

    /// The timestamp of the record at `offset` in partition `key` ("topic-index"), if readable.
    private func oldestRecordMillis(_ key: String, from offset: Int64) -> Int64? {
        guard let dash = key.lastIndex(of: "-"), let index = Int(key[key.index(after: dash)...]),
            let partition = try? log.partition(String(key[..<dash]), index),
            let record = try? partition.records(from: offset, maxBytes: 1).first
        else { return nil }
        return record.timestamp
    }

    /// The current report; rates are computed against `previous`.
    public func snapshot(previous: (millis: Int64, byTopic: [String: Int])) -> StatusReport {
        var report = baseSnapshot(previous: previous)
        report.streams = streams.map { $0.all.map { streamStatus($0, now: report.generatedAtMillis) } }
        return report
    }

    /// One stream job's status; its lag in seconds is the age of the oldest record it has not read.
    private func streamStatus(_ job: StreamJobStatus, now: Int64) -> StatusReport.StreamStatus {
        let oldest = job.inputs.filter { $0.highWatermark > $0.position }
            .compactMap { oldestRecordMillis($0.partition, from: $0.position) }.min()
        return StatusReport.StreamStatus(
            name: job.name, output: job.output, recordsIn: job.recordsIn, recordsOut: job.recordsOut, lateRecords: job.lateRecords,
            refusedKeys: job.refusedKeys, replaySkipped: job.replaySkipped, keys: job.keys, stateBytes: job.stateBytes,
            lagRecords: job.lag, lagSeconds: oldest.map { Double(max(0, now - $0)) / 1000 } ?? 0,
            lastCheckpointMillis: job.lastCheckpointMillis, isHalted: job.isHalted, lastError: job.lastError)
    }

    private func baseSnapshot(previous: (millis: Int64, byTopic: [String: Int])) -> StatusReport {
        let now = LogClock.nowMillis()
        let seconds = max(0.001, Double(now - previous.millis) / 1000)
        let byTopic = ingest.acceptedByTopic
        var topics: [StatusReport.TopicStatus] = []
        var diskBytes = 0
        for name in log.topicNames {
            let partitions = (log.partitions(of: name) ?? []).map { partition in
                StatusReport.PartitionStatus(
                    partition: partition.index, logStartOffset: partition.logStartOffset, highWatermark: partition.highWatermark,
                    bytes: partition.sizeBytes, segments: partition.segmentCount)
            }
            diskBytes += partitions.reduce(0) { $0 + $1.bytes }
            let count = byTopic[name] ?? 0
            topics.append(StatusReport.TopicStatus(
                name: name, partitions: partitions, recordsIngested: count,
                recordsPerSecond: Double(count - (previous.byTopic[name] ?? 0)) / seconds))
        }
        return StatusReport(
            generatedAtMillis: now, startedAtMillis: startedAt, pid: getpid(), gatewayID: configuration.gatewayID,
            broker: "\(configuration.mqtt.host):\(configuration.mqtt.port)", isConnected: ingest.isConnected,
            messagesReceived: ingest.received, recordsAccepted: ingest.accepted, deadLettersByReason: ingest.deadLettersByReason,
            appendFailures: ingest.appendFailures, largestBurst: ingest.largestBurst, fsyncs: log.statistics.fsyncs, bytesWritten: log.statistics.bytesWritten,
            diskBytes: diskBytes, topics: topics, lastError: ingest.lastError, upstream: forward.map { forward in
                StatusReport.UpstreamStatus(
                    name: configuration.upstream?.name ?? "", bootstrapServers: configuration.upstream?.bootstrapServers ?? "",
                    produced: forward.produced, delivered: forward.delivered, failed: forward.failed,
                    lastDeliveryMillis: forward.lastDeliveryMillis, lastError: forward.lastError,
                    partitions: forward.partitions.sorted { $0.key < $1.key }.map { key, state in
                        StatusReport.ForwardPartitionStatus(
                            partition: key, cursor: state.cursor, highWatermark: state.highWatermark, lag: state.lag, isHalted: state.isHalted,
                            oldestUnforwardedMillis: state.lag > 0 ? oldestRecordMillis(key, from: state.cursor) : nil)
                    })
            },
            diskBudget: StatusReport.DiskBudgetStatus(
                maxBytes: configuration.storage.maxBytes, minFreeBytes: configuration.storage.minFreeBytes,
                policy: configuration.storage.policy.rawValue, usedBytes: diskBytes,
                freeBytes: log.diskBudgetState.freeBytes, isExceeded: log.diskBudgetState.isExceeded,
                droppedRecords: log.statistics.droppedRecords))
    }
}
