import Synchronization

/// Counters of what the log store did, shared by all partitions of a `LogManager`; read them for
/// metrics and benchmarks (fsyncs and bytes per record are what wear an SD card).
///
/// Thread-safety: lock-free atomics, safe from any thread.
public final class LogStatistics: Sendable {
    private let appendedRecordsCounter = Atomic<Int>(0)
    private let appendedBatchesCounter = Atomic<Int>(0)
    private let bytesWrittenCounter = Atomic<Int>(0)
    private let fsyncsCounter = Atomic<Int>(0)
    private let deletedSegmentsCounter = Atomic<Int>(0)
    private let deletedRecordsCounter = Atomic<Int>(0)
    private let truncatedBytesCounter = Atomic<Int>(0)
    private let droppedRecordsCounter = Atomic<Int>(0)

    /// Creates zeroed counters.
    public init() {}

    /// Records appended since start.
    public var appendedRecords: Int { appendedRecordsCounter.load(ordering: .relaxed) }
    /// Batches appended since start.
    public var appendedBatches: Int { appendedBatchesCounter.load(ordering: .relaxed) }
    /// Bytes written to segment and index files since start.
    public var bytesWritten: Int { bytesWrittenCounter.load(ordering: .relaxed) }
    /// fsync/fdatasync calls since start.
    public var fsyncs: Int { fsyncsCounter.load(ordering: .relaxed) }
    /// Segments deleted by retention since start.
    public var deletedSegments: Int { deletedSegmentsCounter.load(ordering: .relaxed) }
    /// Records in segments deleted by retention since start.
    public var deletedRecords: Int { deletedRecordsCounter.load(ordering: .relaxed) }
    /// Records deleted by the disk budget before they were forwarded (`drop-oldest`) since start.
    public var droppedRecords: Int { droppedRecordsCounter.load(ordering: .relaxed) }
    /// Bytes cut from torn tails by recovery since start.
    public var truncatedBytes: Int { truncatedBytesCounter.load(ordering: .relaxed) }

    func noteAppend(records: Int, bytes: Int) {
        appendedRecordsCounter.add(records, ordering: .relaxed)
        appendedBatchesCounter.add(1, ordering: .relaxed)
        bytesWrittenCounter.add(bytes, ordering: .relaxed)
    }
    func noteBytesWritten(_ bytes: Int) { bytesWrittenCounter.add(bytes, ordering: .relaxed) }
    func noteFsyncs(_ count: Int) { if count > 0 { fsyncsCounter.add(count, ordering: .relaxed) } }
    func noteDeleted(segments: Int, records: Int) {
        deletedSegmentsCounter.add(segments, ordering: .relaxed)
        deletedRecordsCounter.add(records, ordering: .relaxed)
    }
    func noteDropped(_ records: Int) { droppedRecordsCounter.add(records, ordering: .relaxed) }
    func noteTruncated(_ bytes: Int) { truncatedBytesCounter.add(bytes, ordering: .relaxed) }
}
