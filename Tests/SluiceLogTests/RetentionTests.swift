import Foundation
import Testing

@testable import SluiceLog

@Suite("Retention")
struct RetentionTests {
    static let day: Int64 = 24 * 3600 * 1000
    static let base: Int64 = 1_700_000_000_000

    /// 10 segments of 100 records, segment k holding records from day k (timestamps base + k days).
    static func tenDays(_ configuration: TopicConfiguration, in directory: TemporaryDirectory) throws -> (LogManager, Partition) {
        let log = try LogManager(directory: directory.path)
        let partition = try log.openTopic("retained", configuration: configuration)[0]
        for day in 0..<10 {
            var records = telemetryRecords(count: 100, startOffset: day * 100)
            for index in records.indices { records[index].timestamp = base + Int64(day) * Self.day + Int64(index) }
            try partition.append(records)
        }
        return (log, partition)
    }

    static func oneBatchPerSegment() -> TopicConfiguration {
        var configuration = TopicConfiguration()
        configuration.segmentBytes = 1024  // every 100-record batch rolls a new segment
        configuration.maxBatchBytes = 1 << 20
        configuration.compression = .zstd
        return configuration
    }

    @Test("by time: segments whose newest record is older than retention go, oldest first, never the active one")
    func byTime() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = Self.oneBatchPerSegment()
        configuration.retention = .seconds(7 * 24 * 3600)
        let (log, partition) = try Self.tenDays(configuration, in: directory)
        #expect(partition.segmentCount == 10)
        // Now is day 12: days 0–4 are older than 7 days.
        let result = try partition.applyRetention(nowMillis: Self.base + 12 * Self.day)
        #expect(result.deletedSegments == 5)
        #expect(result.deletedRecords == 500)
        #expect(partition.logStartOffset == 500)
        #expect(result.logStartOffset == 500)
        #expect(log.statistics.deletedRecords == 500)
        #expect(directory.files(in: "retained-0").filter { $0.hasSuffix(".log") }.first == "00000000000000000500.log")
        #expect(!directory.files(in: "retained-0").contains { $0.hasSuffix(".deleted") })
        #expect(throws: LogError.self) { try partition.read(from: 499, maxBytes: 100) }
        #expect(try partition.records(from: 500).first?.offset == 500)
        // Far in the future: everything but the active segment goes.
        try partition.applyRetention(nowMillis: Self.base + 100 * Self.day)
        #expect(partition.segmentCount == 1)
        #expect(partition.logStartOffset == 900)
        #expect(partition.highWatermark == 1000)
    }

    @Test("by time after a restart: closed segments' ages come from their time index")
    func byTimeAfterReopen() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = Self.oneBatchPerSegment()
        configuration.retention = .seconds(7 * 24 * 3600)
        let (log, _) = try Self.tenDays(configuration, in: directory)
        try log.close()
        let reopened = try LogManager(directory: directory.path).openTopic("retained", configuration: configuration)[0]
        #expect(try reopened.applyRetention(nowMillis: Self.base + 9 * Self.day + 1).deletedSegments == 2)
        #expect(reopened.logStartOffset == 200)
    }

    @Test("by bytes: oldest segments go while the partition is over its size limit")
    func byBytes() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = Self.oneBatchPerSegment()
        configuration.retention = nil
        let (log, partition) = try Self.tenDays(configuration, in: directory)
        let perSegment = partition.sizeBytes / 10
        try log.close()
        // Reopen with a limit of four and a half segments.
        configuration.retentionBytes = perSegment * 4 + perSegment / 2
        let reopened = try LogManager(directory: directory.path).openTopic("retained", configuration: configuration)[0]
        let result = try reopened.applyRetention(nowMillis: Self.base)
        #expect(result.deletedSegments == 6)
        #expect(reopened.sizeBytes <= configuration.retentionBytes!)
        #expect(reopened.logStartOffset == 600)
    }

    @Test("keepFrom holds back segments with unforwarded records, and says so")
    func keepFrom() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = Self.oneBatchPerSegment()
        configuration.retention = .seconds(24 * 3600)
        let (_, partition) = try Self.tenDays(configuration, in: directory)
        let result = try partition.applyRetention(nowMillis: Self.base + 30 * Self.day, keepFrom: 250)
        #expect(result.deletedSegments == 2)  // 0–99 and 100–199 are forwarded; 200–299 holds 250
        #expect(result.isHeldByKeepFrom)
        #expect(partition.logStartOffset == 200)
    }

    @Test("a partition with only its active segment keeps it, however old")
    func activeKept() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = TopicConfiguration()
        configuration.retention = .seconds(1)
        let log = try LogManager(directory: directory.path)
        let partition = try log.openTopic("single", configuration: configuration)[0]
        try partition.append(telemetryRecords(count: 10))
        #expect(try partition.applyRetention(nowMillis: Self.base + 100 * Self.day).deletedSegments == 0)
        #expect(try partition.records(from: 0).count == 10)
    }
}
