import Testing

@testable import SluiceLog

@Suite("Durability: fsync policies")
struct DurabilityTests {
    func partition(_ policy: FsyncPolicy, in directory: TemporaryDirectory) throws -> (LogManager, Partition) {
        var configuration = TopicConfiguration()
        configuration.fsync = policy
        let log = try LogManager(directory: directory.path)
        return (log, try log.openTopic("durable", configuration: configuration)[0])
    }

    @Test("always: every append is fsynced before it returns")
    func always() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, partition) = try partition(.always, in: directory)
        let before = log.statistics.fsyncs
        for burst in 0..<10 {
            let result = try partition.append(telemetryRecords(count: 50, startOffset: burst * 50))
            #expect(result.isDurable)
            #expect(partition.durableOffset == result.lastOffset + 1)
        }
        #expect(log.statistics.fsyncs - before == 10)
    }

    @Test("interval: appends within one interval share one fsync (group commit)")
    func interval() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, partition) = try partition(.interval(.seconds(3600)), in: directory)
        let before = log.statistics.fsyncs
        for burst in 0..<100 {
            let result = try partition.append(telemetryRecords(count: 10, startOffset: burst * 10))
            #expect(!result.isDurable)
        }
        #expect(log.statistics.fsyncs == before)
        #expect(try log.flushDue() == 0)  // the interval has not passed
        #expect(try log.flushDue(now: .now + .seconds(3601)) == 1)  // one fsync covers 100 appends
        #expect(partition.durableOffset == 1000)
        #expect(try log.flushDue(now: .now + .seconds(7201)) == 0)  // nothing new to sync
        #expect(log.statistics.fsyncs - before == 1)
    }

    @Test("never: appends do not fsync, an explicit flush does")
    func never() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, partition) = try partition(.never, in: directory)
        let before = log.statistics.fsyncs
        for burst in 0..<5 { try partition.append(telemetryRecords(count: 10, startOffset: burst * 10)) }
        #expect(try log.flushDue(now: .now + .seconds(3600)) == 0)
        #expect(log.statistics.fsyncs == before)
        #expect(try partition.flush())
        #expect(log.statistics.fsyncs == before + 1)
    }

    @Test("batches are written whole: one write per append, bytes counted")
    func batchedWrites() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let (log, partition) = try partition(.never, in: directory)
        try partition.append(telemetryRecords(count: 500))
        #expect(log.statistics.appendedBatches == 1)
        #expect(log.statistics.appendedRecords == 500)
        #expect(log.statistics.bytesWritten == partition.sizeBytes)
    }
}
