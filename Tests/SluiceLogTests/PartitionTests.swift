import Foundation
import Testing

@testable import SluiceLog

@Suite("Partition: append, read, roll, index")
struct PartitionTests {
    /// A small-segment topic so that tests cross many segments quickly.
    static func smallSegments(_ compression: CompressionCodec = .none) -> TopicConfiguration {
        var configuration = TopicConfiguration(partitionCount: 1)
        configuration.segmentBytes = 8 * 1024
        configuration.indexIntervalBytes = 512
        configuration.compression = compression
        return configuration
    }

    @Test("appends get consecutive offsets and read back intact", arguments: [CompressionCodec.none, .lz4, .zstd])
    func appendAndRead(codec: CompressionCodec) throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let log = try LogManager(directory: directory.path)
        let partition = try log.openTopic("telemetry", configuration: Self.smallSegments(codec))[0]
        var all: [Record] = []
        for burst in 0..<40 {
            let records = telemetryRecords(count: 25, startOffset: burst * 25)
            let result = try partition.append(records)
            #expect(result.baseOffset == Int64(burst * 25))
            #expect(result.lastOffset == Int64(burst * 25 + 24))
            all += records
        }
        #expect(partition.highWatermark == 1000)
        #expect(partition.logStartOffset == 0)
        var read: [Record] = []
        var offset: Int64 = 0
        while offset < partition.highWatermark {
            let chunk = try partition.records(from: offset, maxBytes: 3000)
            #expect(!chunk.isEmpty)
            read += chunk
            offset = chunk.last!.offset + 1
        }
        #expect(read == numbered(all, from: 0))
    }

    @Test("segments roll at segment bytes, are named by base offset, and sealed ones carry indexes")
    func rolling() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let log = try LogManager(directory: directory.path)
        let partition = try log.openTopic("roll", configuration: Self.smallSegments())[0]
        for burst in 0..<60 { try partition.append(telemetryRecords(count: 10, startOffset: burst * 10)) }
        let bases = partition.segmentBaseOffsets
        #expect(bases.count > 5)
        #expect(bases.first == 0)
        #expect(bases == bases.sorted())
        let files = directory.files(in: "roll-0")
        #expect(files.contains("00000000000000000000.log"))
        #expect(files.contains(String(format: "%020lld.log", bases[1])))
        for base in bases.dropLast() {
            #expect(files.contains(String(format: "%020lld.index", base)))
            #expect(files.contains(String(format: "%020lld.timeindex", base)))
        }
        // No segment exceeds the limit (each batch is far below it).
        #expect(partition.sizeBytes <= bases.count * 8 * 1024)
    }

    @Test("every offset is found through the sparse index, in every segment")
    func indexLookup() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let log = try LogManager(directory: directory.path)
        let partition = try log.openTopic("lookup", configuration: Self.smallSegments())[0]
        for burst in 0..<100 { try partition.append(telemetryRecords(count: 3, startOffset: burst * 3)) }
        try log.close()
        // Reopen so closed segments use their on-disk indexes.
        let reopened = try LogManager(directory: directory.path).openTopic("lookup", configuration: Self.smallSegments())[0]
        for offset in Int64(0)..<300 {
            let result = try reopened.read(from: offset, maxBytes: 1)
            let first = try #require(RecordBatchSequence(result.bytes).first { _ in true })
            #expect(first.header.baseOffset <= offset && offset <= first.header.lastOffset, "offset \(offset)")
        }
    }

    @Test("a lost or damaged index file is rebuilt from the segment")
    func indexRebuild() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let log = try LogManager(directory: directory.path)
        let partition = try log.openTopic("rebuild", configuration: Self.smallSegments())[0]
        for burst in 0..<60 { try partition.append(telemetryRecords(count: 10, startOffset: burst * 10)) }
        try log.close()
        let first = directory.path + "/rebuild-0/00000000000000000000"
        try LogDirectory.remove(first + ".index")
        let damaged = try SegmentFile(path: first + ".timeindex", create: false)
        try damaged.truncate(to: 5)
        let reopened = try LogManager(directory: directory.path).openTopic("rebuild", configuration: Self.smallSegments())[0]
        #expect(try reopened.records(from: 17, maxBytes: 1).first?.offset == 17)
        #expect(try reopened.offset(forTimestamp: 1_700_000_000_000 + 55 * 100) == 55)
        #expect(directory.files(in: "rebuild-0").contains("00000000000000000000.index"))
    }

    @Test("the first offset at or after a timestamp, across segments")
    func timeLookup() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let log = try LogManager(directory: directory.path)
        let partition = try log.openTopic("time", configuration: Self.smallSegments(.zstd))[0]
        // Record n has timestamp base + 100 n.
        for burst in 0..<50 { try partition.append(telemetryRecords(count: 20, startOffset: burst * 20)) }
        let base: Int64 = 1_700_000_000_000
        #expect(try partition.offset(forTimestamp: 0) == 0)
        #expect(try partition.offset(forTimestamp: base) == 0)
        #expect(try partition.offset(forTimestamp: base + 1) == 1)
        #expect(try partition.offset(forTimestamp: base + 50_000) == 500)
        #expect(try partition.offset(forTimestamp: base + 99_900) == 999)
        #expect(try partition.offset(forTimestamp: base + 99_901) == nil)
        try log.close()
        let reopened = try LogManager(directory: directory.path).openTopic("time", configuration: Self.smallSegments(.zstd))[0]
        #expect(try reopened.offset(forTimestamp: base + 73_350) == 734)
    }

    @Test("a topic reopens where it was, appends continue, and several partitions stay apart")
    func reopen() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        var configuration = Self.smallSegments()
        configuration.partitionCount = 3
        do {
            let log = try LogManager(directory: directory.path)
            let partitions = try log.openTopic("multi", configuration: configuration)
            for (index, partition) in partitions.enumerated() {
                try partition.append(telemetryRecords(count: 100 * (index + 1)))
            }
            try log.close()
        }
        let log = try LogManager(directory: directory.path)
        #expect(try log.existingTopics() == ["multi": 3])
        let partitions = try log.openTopic("multi", configuration: configuration)
        #expect(partitions.map(\.highWatermark) == [100, 200, 300])
        #expect(try partitions[1].append(telemetryRecords(count: 5)).baseOffset == 200)
        #expect(try log.partition("multi", 2).index == 2)
        #expect(throws: LogError.self) { try log.partition("multi", 3) }
        #expect(log.recoveries["multi-2"]?.truncatedBytes == 0)
    }
}
