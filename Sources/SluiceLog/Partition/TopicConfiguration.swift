/// How often appended data is made durable with fsync.
public enum FsyncPolicy: Sendable, Hashable, CustomStringConvertible {
    /// fsync after every append (every batch): an acknowledged record survives power loss.
    case always
    /// Group commit: fsync at most once per interval, covering every append since the last one.
    case interval(Duration)
    /// Never fsync on append (the kernel writes back); segments are still fsynced when they roll.
    case never

    /// The default: group commit every 250 ms.
    public static let `default` = FsyncPolicy.interval(.milliseconds(250))

    public var description: String {
        switch self {
        case .always: "always"
        case .interval(let interval): "interval(\(interval))"
        case .never: "never"
        }
    }
}

/// Settings of one topic's partitions; every field has a default fit for an SD card.
public struct TopicConfiguration: Sendable, Hashable {
    /// Number of partitions. Default 1.
    public var partitionCount: Int = 1
    /// A segment rolls when the next batch would take it past this size. Default 16 MiB.
    public var segmentBytes: Int = 16 << 20
    /// A segment rolls when its first batch is older than this. Default 1 day, so that 7-day
    /// retention frees space a day at a time rather than a week at a time.
    public var segmentDuration: Duration? = .seconds(24 * 3600)
    /// Bytes of log between two sparse index entries. Default 4 KiB.
    public var indexIntervalBytes: Int = 4096
    /// Segments whose newest record is older than this are deleted. Default 7 days; nil keeps forever.
    public var retention: Duration? = .seconds(7 * 24 * 3600)
    /// Oldest segments are deleted while a partition is larger than this. Default nil (no limit).
    public var retentionBytes: Int? = nil
    /// Compression of batches written by Sluice. Default zstd (JSON telemetry shrinks 3–10×).
    public var compression: CompressionCodec = .zstd
    /// When appends are fsynced. Default group commit every 250 ms.
    public var fsync: FsyncPolicy = .default
    /// Largest batch accepted, in bytes on disk. Default 1 MiB (Kafka's `message.max.bytes`).
    public var maxBatchBytes: Int = 1 << 20

    /// The defaults.
    public init() {}

    /// Creates a configuration with `partitionCount` partitions and the other defaults.
    public init(partitionCount: Int) {
        self.partitionCount = partitionCount
    }

    /// Why this configuration cannot be used, or nil.
    public var problem: String? {
        if partitionCount < 1 || partitionCount > 10_000 { return "partition count must be 1…10000, not \(partitionCount)" }
        if segmentBytes < 1024 || segmentBytes > Int(Int32.max) { return "segment bytes must be 1 KiB…2 GiB, not \(segmentBytes)" }
        if indexIntervalBytes < 1 { return "index interval bytes must be positive" }
        if maxBatchBytes < RecordBatchHeader.size { return "max batch bytes must be at least \(RecordBatchHeader.size)" }
        if let retentionBytes, retentionBytes < 0 { return "retention bytes must not be negative" }
        if !compression.isWritable { return "compression must be none, lz4 or zstd, not \(compression)" }
        if case .interval(let interval) = fsync, interval <= .zero { return "fsync interval must be positive" }
        return nil
    }
}
