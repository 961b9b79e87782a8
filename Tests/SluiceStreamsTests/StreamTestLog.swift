import Foundation
import Logging
import SluiceCatalog
import SluiceConfiguration
import SluiceLog
import SluiceTestKit

@testable import SluiceStreams

/// A log and a catalog in a temporary folder with the topics of one job, and helpers to write
/// input, run the job and read what it wrote.
final class StreamTestLog {
    let directory: String
    let log: LogManager
    let catalog: Catalog
    let job: StreamJobSettings
    let statistics: StreamStatistics
    static let partitions = 4

    init(job: StreamJobSettings, segmentBytes: Int? = nil) throws {
        statistics = StreamStatistics(jobs: [job])
        directory = TestEnvironment.temporaryDirectory("sluice-streams")
        log = try LogManager(directory: directory + "/data")
        catalog = try Catalog(path: directory + "/catalog.sqlite")
        self.job = job
        var configuration = TopicConfiguration(partitionCount: Self.partitions)
        configuration.fsync = .never
        configuration.compression = .none  // zstd through a debug build is slow (its buffer growth is generic code)
        if let segmentBytes { configuration.segmentBytes = segmentBytes }
        for topic in job.inputs { try log.openTopic(topic, configuration: configuration) }
        try log.openTopic(job.output, configuration: configuration)
        configuration.partitionCount = 1
        try log.openTopic("_dead_letters", configuration: configuration)
    }

    deinit {
        try? log.close()
        try? FileManager.default.removeItem(atPath: directory)
    }

    var deadLetters: Partition { log.partitions(of: "_dead_letters")![0] }

    /// Appends records to `topic`, each in the murmur2 partition of its key, in batches.
    func append(_ records: [Record], topic: String) throws {
        var byPartition: [[Record]] = Array(repeating: [], count: Self.partitions)
        for record in records {
            byPartition[KeyPartitioner.partition(forKey: record.key!, partitionCount: Self.partitions)].append(record)
        }
        for (index, records) in byPartition.enumerated() {
            var start = 0
            while start < records.count {
                let end = min(records.count, start + 500)
                try log.partition(topic, index).append(records[start..<end])
                start = end
            }
        }
    }

    /// A runner for the job, restoring its checkpoint as after a restart.
    func runner(checkpointInterval: Duration? = nil) throws -> StreamJobRunner {
        var job = self.job
        if let checkpointInterval { job.checkpointInterval = checkpointInterval }
        return try StreamJobRunner(
            job: job, log: log, catalog: catalog, deadLetters: deadLetters, statistics: statistics, logger: Logger(label: "test"))
    }

    /// Runs `runner` until it has read everything (bounded), without a final checkpoint.
    func drain(_ runner: StreamJobRunner) {
        for _ in 0..<100_000 where runner.step() {}
    }

    /// Every record of a topic, by partition.
    func records(_ topic: String) throws -> [[Record]] {
        try log.partitions(of: topic)!.map { partition in
            var records: [Record] = []
            var offset = partition.logStartOffset
            while offset < partition.highWatermark {
                let chunk = try partition.records(from: offset)
                guard let last = chunk.last else { break }
                records += chunk
                offset = last.offset + 1
            }
            return records
        }
    }
}

extension Record {
    /// The value of header `key`, as text.
    func header(_ key: String) -> String? {
        headers.last { $0.key == key }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}
