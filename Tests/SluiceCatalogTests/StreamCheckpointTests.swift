import Testing

@testable import SluiceCatalog

@Suite("Stream checkpoints")
struct StreamCheckpointTests {
    @Test("a checkpoint survives a reopen whole, a later one replaces it, other jobs keep theirs")
    func savedWhole() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let catalog = try Catalog(path: dir.catalogPath)
        #expect(try catalog.streamCheckpoint(job: "env-1m") == nil)
        let first = StreamCheckpoint(
            job: "env-1m",
            inputOffsets: [TopicPartitionKey(topic: "telemetry", partition: 0): 10, TopicPartitionKey(topic: "telemetry", partition: 1): 0],
            outputHighWatermarks: [TopicPartitionKey(topic: "telemetry-1m", partition: 0): 3, TopicPartitionKey(topic: "_dead_letters", partition: 0): 7],
            fingerprint: "abc", state: [0, 1, 2, 255], updatedAtMillis: 1_000)
        try catalog.saveStreamCheckpoint(first)
        var other = first
        other.job = "alarms"
        other.state = []
        try catalog.saveStreamCheckpoint(other)
        var second = first
        second.inputOffsets[TopicPartitionKey(topic: "telemetry", partition: 1)] = 99
        second.state = Array(repeating: 7, count: 100_000)
        second.updatedAtMillis = 2_000
        try catalog.saveStreamCheckpoint(second)
        try catalog.close()

        let reopened = try Catalog(path: dir.catalogPath)
        #expect(try reopened.streamCheckpoint(job: "env-1m") == second)
        #expect(try reopened.streamCheckpoint(job: "alarms") == other)
        try reopened.close()
    }
}
