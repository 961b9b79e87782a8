import Foundation
import Testing

@testable import SluiceLog

/// The disk budget of the whole data directory: whole segments go, oldest first across every
/// partition, forwarded ones before unforwarded ones, never an active one; `block` never deletes
/// what is not forwarded, `drop-oldest` does and counts it.
@Suite("Disk budget")
struct DiskBudgetTests {
    /// Two topics, 3 partitions in all, each with 4 closed segments and an active one; every
    /// segment is one 100-record batch; segment k of partition p has timestamps base + k*3 + p days,
    /// so the segments' age order interleaves the partitions.
    static func log(in directory: String) throws -> (LogManager, [Partition]) {
        let log = try LogManager(directory: directory)
        let configuration = RetentionTests.oneBatchPerSegment()
        let partitions = try log.openTopic("a", configuration: configuration) + log.openTopic("b", configuration: {
            var two = configuration
            two.partitionCount = 2
            return two
        }())
        for segment in 0..<5 {
            for (index, partition) in partitions.enumerated() {
                var records = telemetryRecords(count: 100, startOffset: segment * 100)
                let day = Int64(segment * 3 + index)
                for offset in records.indices { records[offset].timestamp = RetentionTests.base + day * RetentionTests.day + Int64(offset) }
                try partition.append(records)
            }
        }
        return (log, partitions)
    }

    @Test("max_bytes: the oldest closed segments of any partition go until the log fits")
    func maxBytes() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, partitions) = try Self.log(in: directory.path)
        let used = partitions.reduce(0) { $0 + $1.sizeBytes }
        let segment = partitions[0].sizeBytes / 5
        // Room for all but ~4 segments: the 4 oldest by time are a-0's and b-0's and b-1's first, then a-0's second.
        let result = try log.enforce(DiskBudget(maxBytes: used - 4 * segment + segment / 2, minFreeBytes: nil))
        #expect(result.deletedSegments == 4)
        #expect(result.deletedRecords == 400 && result.droppedUnforwardedRecords == 0)
        #expect(partitions.map(\.logStartOffset) == [200, 100, 100])
        #expect(result.usedBytes == partitions.reduce(0) { $0 + $1.sizeBytes } && !result.isExceeded)
        #expect(try log.enforce(DiskBudget(maxBytes: used, minFreeBytes: nil)).deletedSegments == 0, "within budget: nothing goes")
    }

    @Test("block: unforwarded segments stay and the budget reports itself exceeded")
    func blockKeepsUnforwarded() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, partitions) = try Self.log(in: directory.path)
        // Forwarded: a-0 up to 300 (3 segments), nothing of b.
        let cursors: [String: Int64] = ["a-0": 300, "b-0": 0, "b-1": 0]
        let result = try log.enforce(DiskBudget(maxBytes: 1, minFreeBytes: nil, policy: .block)) { cursors["\($0.topic)-\($0.index)"] }
        #expect(result.deletedSegments == 3 && result.droppedUnforwardedRecords == 0)
        #expect(partitions.map(\.logStartOffset) == [300, 0, 0])
        #expect(result.isExceeded, "only unforwarded or active segments are left")
        #expect(log.statistics.droppedRecords == 0)
    }

    @Test("drop-oldest: forwarded segments first, then the oldest unforwarded, every dropped record counted")
    func dropOldestCounts() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, partitions) = try Self.log(in: directory.path)
        let cursors: [String: Int64] = ["a-0": 50, "b-0": 450, "b-1": 0]
        let segment = partitions[0].sizeBytes / 5
        let used = partitions.reduce(0) { $0 + $1.sizeBytes }
        // 6 segments must go: b-0's 4 closed ones are forwarded and go first although a-0's are older.
        let result = try log.enforce(DiskBudget(maxBytes: used - 6 * segment + segment / 2, minFreeBytes: nil, policy: .dropOldest)) {
            cursors["\($0.topic)-\($0.index)"]
        }
        #expect(result.deletedSegments == 6)
        #expect(partitions.map(\.logStartOffset) == [100, 400, 100], "then the two oldest unforwarded: a-0's (day 0), b-1's (day 2)")
        // a-0's segment held 50 forwarded and 50 unforwarded records; b-1's held 100 unforwarded.
        #expect(result.droppedUnforwardedRecords == 150)
        #expect(log.statistics.droppedRecords == 150)
        #expect(!result.isExceeded)
        // Whatever is left reads back whole.
        for partition in partitions {
            var offset = partition.logStartOffset
            while offset < partition.highWatermark, let last = try partition.records(from: offset, maxBytes: 1 << 20).last {
                offset = last.offset + 1
            }
            #expect(offset == partition.highWatermark, "every offset from the log start on reads back")
        }
    }

    @Test("never the active segment: a budget smaller than the active segments stays exceeded")
    func neverActive() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, partitions) = try Self.log(in: directory.path)
        let result = try log.enforce(DiskBudget(maxBytes: 1, minFreeBytes: nil, policy: .dropOldest))
        #expect(result.deletedSegments == 12 && result.isExceeded)
        #expect(partitions.allSatisfy { $0.segmentCount == 1 && $0.logStartOffset == 400 && $0.highWatermark == 500 })
    }

    @Test("min_free_bytes on a real 4 MiB filesystem: segments go until that much is free, and appends go on")
    func minFreeOnTmpfs() throws {
        let filesystem = try ScratchFilesystem(sizeKiB: 4096, readOnly: false)
        defer { filesystem.unmount() }
        try filesystem.freeBallast()
        let log = try LogManager(directory: filesystem.path + "/data")
        var configuration = TopicConfiguration()
        configuration.segmentBytes = 64 << 10
        configuration.compression = .none
        let partition = try log.openTopic("fill", configuration: configuration)[0]
        // ~3 MiB of log in 64 KiB segments.
        for batch in 0..<75 {
            try partition.append(telemetryRecords(count: 400, startOffset: batch * 400))
        }
        let before = try log.freeBytes()
        #expect(before < 1536 << 10, "the filesystem is mostly full: \(before) bytes free")
        let result = try log.enforce(DiskBudget(maxBytes: nil, minFreeBytes: 2 << 20, policy: .dropOldest))
        #expect(result.deletedSegments > 0 && !result.isExceeded)
        #expect(try log.freeBytes() >= 2 << 20, "at least min_free_bytes free afterwards")
        #expect(result.freeBytes >= 2 << 20)
        let end = partition.highWatermark
        #expect(try partition.append(telemetryRecords(count: 10)).baseOffset == end)
        try log.close()
    }
}
