import SluiceConfiguration
import SluiceLog
import Testing

@testable import SluiceStreams

/// Retention and the disk budget never delete input a stream job may still need: what lies at or
/// after its last checkpoint, which a restart after a crash reads again.
@Suite("Stream jobs hold retention at their checkpoints")
struct StreamRetentionTests {
    static let job = StreamJobSettings(
        name: "hot", inputs: ["telemetry"], output: "telemetry-hot",
        operators: [.filter(FilterSettings(conditions: [FilterCondition(field: "temp", comparison: .greater, operand: .number(30))]))])

    static func readings(_ range: Range<Int>) -> [Record] {
        range.map { i in
            Record(timestamp: 1_700_000_000_000 + Int64(i), key: Array("dev-\(i % 20)".utf8), value: Array(#"{"temp":\#(i % 60),"pad":"\#(String(repeating: "x", count: 100))"}"#.utf8))
        }
    }

    @Test("before its first checkpoint everything is kept; after it, only what lies before the checkpoint may go")
    func keepsFromCheckpoint() throws {
        let log = try StreamTestLog(job: Self.job, segmentBytes: 4096)
        let needed = { (partition: Partition) in
            log.statistics.firstNeededOffset(topic: partition.topic, partition: partition.index, logStartOffset: partition.logStartOffset)
        }
        try log.append(Self.readings(0..<2000), topic: "telemetry")
        let inputs = log.log.partitions(of: "telemetry")!
        for partition in inputs { #expect(needed(partition) == 0, "not checkpointed yet: keep all of \(partition.topic)-\(partition.index)") }
        #expect(log.statistics.firstNeededOffset(topic: "telemetry-hot", partition: 0, logStartOffset: 0) == nil, "no job reads the output")

        let runner = try log.runner()  // a first start saves a checkpoint at the log start
        log.drain(runner)
        runner.checkpointIfDue(force: true)
        let checkpointed = inputs.map(\.highWatermark)
        try log.append(Self.readings(2000..<10000), topic: "telemetry")  // several segments per partition
        log.drain(runner)  // processed, but not checkpointed: a crash now would read it again

        // Every record is past the default 7 days; time retention would delete all but the active segments.
        let farFuture: Int64 = 1_700_000_000_000 + 30 * 24 * 3600 * 1000
        for (index, partition) in inputs.enumerated() {
            #expect(needed(partition) == checkpointed[index])
            let result = try partition.applyRetention(nowMillis: farFuture, keepFrom: needed(partition))
            #expect(result.deletedSegments > 0, "what lies before the checkpoint goes")
            #expect(partition.logStartOffset <= checkpointed[index], "what the checkpoint still needs stays")
            #expect(result.isHeldByKeepFrom)
        }
        runner.checkpointIfDue(force: true)
        for partition in inputs { #expect(needed(partition) == partition.highWatermark, "a new checkpoint releases what it covers") }
    }
}
