/// One stream job's checkpoint (a row of `stream_checkpoint`): where it was in each input
/// partition, how far each output partition went, and its operator state — saved together, in
/// one transaction, so a restart resumes from a consistent point.
///
/// A plain value; `Sendable`.
public struct StreamCheckpoint: Sendable, Hashable {
    /// The job's name.
    public var job: String
    /// The next input offset to process, per input partition.
    public var inputOffsets: [TopicPartitionKey: Int64]
    /// The high watermark of each output partition (dead letters included) when the checkpoint
    /// was taken: records at or above it were written after it.
    public var outputHighWatermarks: [TopicPartitionKey: Int64]
    /// Says which job definition `state` belongs to; a changed definition starts with empty state.
    public var fingerprint: String
    /// The operators' state, encoded by the stream engine.
    public var state: [UInt8]
    /// When it was saved, in milliseconds since 1970.
    public var updatedAtMillis: Int64

    /// Creates a checkpoint.
    public init(
        job: String, inputOffsets: [TopicPartitionKey: Int64], outputHighWatermarks: [TopicPartitionKey: Int64],
        fingerprint: String, state: [UInt8], updatedAtMillis: Int64
    ) {
        self.job = job
        self.inputOffsets = inputOffsets
        self.outputHighWatermarks = outputHighWatermarks
        self.fingerprint = fingerprint
        self.state = state
        self.updatedAtMillis = updatedAtMillis
    }
}
