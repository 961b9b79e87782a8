import Logging
import Synchronization

/// One partition of a topic: an append-only sequence of records numbered from its log start
/// offset, stored as segments in `<data>/<topic>-<index>/`.
///
/// Appends assign offsets and write whole batches with one `pwrite` each; the fsync policy says
/// when they are made durable. Reads return whole batches as they are on disk. Only the newest
/// (active) segment is ever written; older segments are immutable until retention deletes them.
///
/// Thread-safety: all methods may be called from any thread; one lock serialises them. Encoding
/// and compression of records happen before the lock is taken.
public final class Partition: Sendable {
    /// The topic's name.
    public let topic: String
    /// The partition number.
    public let index: Int
    /// The partition's directory.
    public let directory: String
    /// The topic's settings.
    public let configuration: TopicConfiguration
    let statistics: LogStatistics
    let appendSignal: AppendSignal?
    let state: Mutex<State>

    struct State {
        /// Segments by ascending base offset; the last is the active one.
        var segments: [Segment]
        /// Offsets below this are durable (fsynced).
        var durableOffset: Int64
        var lastSync: ContinuousClock.Instant
        var isClosed = false
        var active: Segment { segments[segments.count - 1] }
        var nextOffset: Int64 { active.nextOffset }
    }

    /// What an append did.
    public struct AppendResult: Sendable, Equatable {
        /// Offset of the first record appended.
        public var baseOffset: Int64
        /// Offset of the last record appended.
        public var lastOffset: Int64
        /// Whether the batch is already fsynced (always true with `fsync: always`).
        public var isDurable: Bool
    }

    /// What a read returned.
    public struct ReadResult: Sendable, Equatable {
        /// Whole batches, as on disk; empty when the offset is at the high watermark.
        public var bytes: [UInt8]
        /// The offset the next append will get.
        public var highWatermark: Int64
        /// The first offset still stored.
        public var logStartOffset: Int64
    }

    /// Whether this partition was opened for reading only (appends are refused, nothing is cut).
    public let isReadOnly: Bool

    private init(
        topic: String, index: Int, directory: String, configuration: TopicConfiguration, statistics: LogStatistics,
        segments: sending [Segment], readOnly: Bool, appendSignal: AppendSignal?
    ) {
        self.appendSignal = appendSignal
        self.isReadOnly = readOnly
        self.topic = topic
        self.index = index
        self.directory = directory
        self.configuration = configuration
        self.statistics = statistics
        let next = segments[segments.count - 1].nextOffset
        self.state = Mutex(State(segments: segments, durableOffset: next, lastSync: .now))
    }

    /// Opens (creating if needed) the partition in `directory`: closed segments are only listed;
    /// the active one is recovered (see `Segment.recover`).
    /// - Throws: `LogError` if the directory cannot be made or read.
    static func open(
        topic: String, index: Int, directory: String, configuration: TopicConfiguration,
        statistics: LogStatistics, logger: Logger, readOnly: Bool = false, appendSignal: AppendSignal? = nil
    ) throws(LogError) -> (Partition, SegmentRecovery) {
        if !readOnly { try LogDirectory.prepare(directory) }
        var baseOffsets: [Int64] = []
        for name in try LogDirectory.entries(directory) {
            if name.hasSuffix(".deleted") || name.hasSuffix(".tmp") {
                if readOnly { continue }
                try LogDirectory.remove(directory + "/" + name)  // left by a crash during retention
            } else if name.hasSuffix(".log"), name.count == 24, let base = Int64(name.prefix(20)) {
                baseOffsets.append(base)
            }
        }
        baseOffsets.sort()
        var segments: [Segment] = []
        for (position, base) in baseOffsets.dropLast().enumerated() {
            segments.append(try Segment.closed(directory: directory, baseOffset: base, nextOffset: baseOffsets[position + 1]))
        }
        let activeBase = baseOffsets.last ?? 0
        let (active, recovery) = try Segment.recover(
            directory: directory, baseOffset: activeBase, indexIntervalBytes: configuration.indexIntervalBytes, readOnly: readOnly)
        segments.append(active)
        if baseOffsets.isEmpty && !readOnly { try LogDirectory.sync(directory) }
        statistics.noteTruncated(recovery.truncatedBytes)
        if recovery.truncatedBytes > 0 && !readOnly {
            logger.warning(
                "recovery truncated a torn tail",
                metadata: [
                    "log.topic": "\(topic)", "log.partition": "\(index)", "log.segment": "\(activeBase)",
                    "log.truncated_bytes": "\(recovery.truncatedBytes)", "log.reason": "\(recovery.problem ?? "")",
                ])
        }
        let partition = Partition(
            topic: topic, index: index, directory: directory, configuration: configuration, statistics: statistics,
            segments: segments, readOnly: readOnly, appendSignal: appendSignal)
        return (partition, recovery)
    }

    // MARK: State

    /// The first offset still stored.
    public var logStartOffset: Int64 { state.withLock { $0.segments[0].baseOffset } }
    /// The offset the next append will get (Kafka's high watermark: one past the last record).
    public var highWatermark: Int64 { state.withLock { $0.nextOffset } }
    /// Offsets below this are fsynced.
    public var durableOffset: Int64 { state.withLock { $0.durableOffset } }
    /// Bytes of all segment files.
    public var sizeBytes: Int { state.withLock { $0.segments.reduce(0) { $0 + $1.size } } }
    /// Number of segment files.
    public var segmentCount: Int { state.withLock { $0.segments.count } }
    /// Base offsets of the segments, oldest first.
    public var segmentBaseOffsets: [Int64] { state.withLock { $0.segments.map(\.baseOffset) } }

    // MARK: Appending

    /// Appends `records` as one batch, compressed with the topic's codec.
    /// - Returns: the offsets the records got.
    /// - Throws: `LogError` (`.invalidArgument` for no records, `.batchTooLarge`, `.diskFull`, …);
    ///   on failure nothing is appended.
    @discardableResult
    public func append(_ records: some Collection<Record>) throws(LogError) -> AppendResult {
        var encoder = RecordBatchEncoder()
        var bytes: [UInt8] = []
        try encoder.encode(records, compression: configuration.compression, into: &bytes)
        return try appendValidated(&bytes)
    }

    /// Appends one batch already encoded (by a Kafka producer or `RecordBatchEncoder`); its base
    /// offset is replaced by the next offset. The batch is checked first: layout, magic, CRC,
    /// record count against the offset delta, size limit.
    /// - Throws: `LogError` `.corruptBatch` or `.batchTooLarge`, or an I/O error; on failure
    ///   nothing is appended.
    @discardableResult
    public func append(batch: [UInt8]) throws(LogError) -> AppendResult {
        var bytes = batch
        let parsed = try RecordBatch(bytes[...])
        guard parsed.header.totalSize == bytes.count else {
            throw LogError(code: .corruptBatch, message: "\(bytes.count - parsed.header.totalSize) bytes follow the batch; append one batch at a time")
        }
        guard parsed.isChecksumValid else {
            throw LogError(code: .corruptBatch, message: "the batch's CRC does not match its bytes (corrupted in transit?)")
        }
        guard parsed.header.recordCount == parsed.header.lastOffsetDelta + 1 else {
            throw LogError(
                code: .corruptBatch,
                message: "the batch holds \(parsed.header.recordCount) records but its last offset delta is \(parsed.header.lastOffsetDelta)")
        }
        return try appendValidated(&bytes)
    }

    /// Appends one batch built by this process (`RecordBatchBuilder`, `RecordBatchEncoder`): its
    /// layout and CRC are trusted, not re-checked, and its base offset is patched in place (no copy).
    /// - Throws: `LogError.batchTooLarge` or an I/O error; on failure nothing is appended.
    @discardableResult
    public func append(builtBatch bytes: inout [UInt8]) throws(LogError) -> AppendResult {
        guard bytes.count >= RecordBatchHeader.size else {
            throw LogError(code: .corruptBatch, message: "\(bytes.count) bytes are too few for a batch")
        }
        return try appendValidated(&bytes)
    }

    private func appendValidated(_ bytes: inout [UInt8]) throws(LogError) -> AppendResult {
        guard bytes.count <= configuration.maxBatchBytes else {
            throw LogError(
                code: .batchTooLarge,
                message: "batch of \(bytes.count) bytes exceeds max batch bytes \(configuration.maxBatchBytes) of \(topic)-\(index); split it or raise the limit")
        }
        let now = LogClock.nowMillis()
        let configuration = self.configuration
        let statistics = self.statistics
        let directory = self.directory
        guard !isReadOnly else {
            throw LogError(code: .invalidArgument, message: "\(topic)-\(index) was opened read-only; only the daemon appends")
        }
        let result = try state.withLock { (state) throws(LogError) -> AppendResult in
            guard !state.isClosed else { throw LogError(code: .closed, message: "the partition is closed") }
            var header = bytes.withUnsafeBytes { RecordBatchHeader($0)! }
            let active = state.active
            let base = state.nextOffset
            let ageMillis = active.firstBatchTimestamp.map { now - $0 } ?? 0
            let tooOld = configuration.segmentDuration.map { ageMillis >= $0.wholeMilliseconds } ?? false
            let tooBig = active.size + bytes.count > configuration.segmentBytes
            let offsetOverflow = base + Int64(header.lastOffsetDelta) - active.baseOffset > Int64(UInt32.max)
            if active.size > 0 && (tooBig || tooOld || offsetOverflow) {
                statistics.noteFsyncs(try active.seal())
                let next = try Segment.create(directory: directory, baseOffset: base)
                try LogDirectory.sync(directory)
                statistics.noteFsyncs(1)
                state.segments.append(next)
                state.durableOffset = base
            }
            header.baseOffset = base
            header.partitionLeaderEpoch = 0
            bytes.storeBigEndian(base, at: 0)
            bytes.storeBigEndian(Int32(0), at: 12)  // one leader, epoch 0: recovery checks it (the CRC does not cover it)
            try bytes.withUnsafeBytes { raw in
                Result { () throws(LogError) in
                    try state.active.append(raw, header: header, indexIntervalBytes: configuration.indexIntervalBytes, nowMillis: now)
                }
            }.get()
            statistics.noteAppend(records: Int(header.recordCount), bytes: bytes.count)
            var isDurable = false
            if configuration.fsync == .always {
                try state.active.sync()
                statistics.noteFsyncs(1)
                state.durableOffset = state.nextOffset
                state.lastSync = .now
                isDurable = true
            }
            return AppendResult(baseOffset: base, lastOffset: header.lastOffset, isDurable: isDurable)
        }
        appendSignal?.notify()
        return result
    }

    // MARK: Durability

    /// fsyncs the active segment if it holds unsynced data.
    /// - Returns: whether an fsync was done.
    @discardableResult
    public func flush() throws(LogError) -> Bool {
        // fsync outside the lock, so appends and reads go on while the disk works; the segment
        // object is kept alive by this reference even if the partition rolls meanwhile.
        let (segment, end, pending) = state.withLock { ($0.active, $0.nextOffset, $0.active.unsyncedBytes) }
        guard pending > 0 else { return false }
        try segment.syncFile()
        statistics.noteFsyncs(1)
        state.withLock { state in
            segment.noteSynced(bytes: pending)
            state.durableOffset = max(state.durableOffset, end)
            state.lastSync = .now
        }
        return true
    }

    /// Under `fsync: interval`, fsyncs if the interval has passed since the last fsync and data is
    /// waiting; otherwise does nothing. Call it periodically (the log's flusher does).
    /// - Returns: whether an fsync was done.
    @discardableResult
    public func flushIfDue(now: ContinuousClock.Instant = .now) throws(LogError) -> Bool {
        guard case .interval(let interval) = configuration.fsync else { return false }
        let isDue = state.withLock { now - $0.lastSync >= interval && $0.active.unsyncedBytes > 0 }
        return isDue ? try flush() : false
    }

    // MARK: Reading

    /// Whole batches starting with the one that holds `offset`, as on disk, up to `maxBytes`
    /// (at least one whole batch, so a reader always progresses). The first batch may start
    /// before `offset`: readers skip records below it, as Kafka clients do.
    /// - Throws: `LogError.offsetOutOfRange` if `offset` is below the log start or above the high watermark.
    public func read(from offset: Int64, maxBytes: Int) throws(LogError) -> ReadResult {
        try state.withLock { (state) throws(LogError) -> ReadResult in
            guard !state.isClosed else { throw LogError(code: .closed, message: "the partition is closed") }
            let start = state.segments[0].baseOffset
            let end = state.nextOffset
            guard offset >= start && offset <= end else {
                throw LogError(
                    code: .offsetOutOfRange,
                    message: "offset \(offset) is outside \(topic)-\(index)'s range \(start)…\(end); read from the log start or the high watermark")
            }
            guard maxBytes > 0 else { throw LogError(code: .invalidArgument, message: "max bytes must be positive, not \(maxBytes)") }
            var bytes: [UInt8] = []
            var segmentIndex = Self.segmentIndex(holding: offset, in: state.segments)
            while bytes.isEmpty && segmentIndex < state.segments.count {
                bytes = try state.segments[segmentIndex].read(from: offset, maxBytes: maxBytes)
                segmentIndex += 1
            }
            return ReadResult(bytes: bytes, highWatermark: end, logStartOffset: start)
        }
    }

    /// Decoded records from `offset` on, up to about `maxBytes` of batches (a convenience over `read`).
    public func records(from offset: Int64, maxBytes: Int = 1 << 20) throws(LogError) -> [Record] {
        let result = try read(from: offset, maxBytes: maxBytes)
        var records: [Record] = []
        for batch in RecordBatchSequence(result.bytes) {
            records.append(contentsOf: try batch.records().filter { $0.offset >= offset })
        }
        return records
    }

    /// The first offset whose record timestamp is at or after `timestamp` (Kafka's ListOffsets by
    /// time), or nil if every record is older.
    public func offset(forTimestamp timestamp: Int64) throws(LogError) -> Int64? {
        try state.withLock { (state) throws(LogError) -> Int64? in
            for segment in state.segments {
                if let offset = try segment.firstOffset(atOrAfter: timestamp) { return offset }
            }
            return nil
        }
    }

    static func segmentIndex(holding offset: Int64, in segments: [Segment]) -> Int {
        var low = 0
        var high = segments.count
        while low < high {
            let middle = (low + high) / 2
            if segments[middle].baseOffset <= offset { low = middle + 1 } else { high = middle }
        }
        return max(0, low - 1)
    }

    // MARK: Closing

    /// fsyncs the active segment and refuses further use. (Its indexes are not written: the
    /// active segment is always recovered, and its indexes rebuilt, when the partition reopens.)
    public func close() throws(LogError) {
        let statistics = self.statistics
        try state.withLock { (state) throws(LogError) in
            guard !state.isClosed else { return }
            state.isClosed = true
            if try state.active.sync() { statistics.noteFsyncs(1) }
        }
    }
}
