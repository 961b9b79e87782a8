import Synchronization

/// What one retention pass deleted from a partition.
public struct RetentionResult: Sendable, Equatable {
    /// Segments deleted.
    public var deletedSegments = 0
    /// Records in the deleted segments.
    public var deletedRecords: Int64 = 0
    /// Bytes freed.
    public var deletedBytes = 0
    /// The log start offset afterwards.
    public var logStartOffset: Int64 = 0
    /// Whether a segment due for deletion was kept because it holds offsets at or above `keepFrom`
    /// (records not yet forwarded upstream).
    public var isHeldByKeepFrom = false
}

extension Partition {
    /// Deletes whole segments, oldest first, never the active one, while the oldest is expired
    /// (its newest record is older than `retention`) or the partition is larger than
    /// `retentionBytes`. Stops at the first segment that may stay, and at the first segment holding
    /// an offset at or above `keepFrom` (pass the forward cursor so unforwarded records are kept).
    /// Files are renamed to `.deleted`, removed, then the directory is fsynced.
    /// - Parameters:
    ///   - nowMillis: the current time, ms since the epoch.
    ///   - keepFrom: offsets at or above this must not be deleted; nil lets retention delete anything.
    /// - Throws: `LogError` if a file cannot be removed (the log stays consistent: the segment
    ///   list is updated only for segments whose files are gone).
    @discardableResult
    public func applyRetention(nowMillis: Int64 = LogClock.nowMillis(), keepFrom: Int64? = nil) throws(LogError) -> RetentionResult {
        let configuration = self.configuration
        let statistics = self.statistics
        let directory = self.directory
        if isReadOnly { return RetentionResult(logStartOffset: logStartOffset) }
        return try state.withLock { (state) throws(LogError) -> RetentionResult in
            var result = RetentionResult()
            var total = state.segments.reduce(0) { $0 + $1.size }
            while state.segments.count > 1 {
                let oldest = state.segments[0]
                var isExpired = false
                if let retention = configuration.retention, let newest = try oldest.maxTimestamp() {
                    isExpired = newest < nowMillis - retention.wholeMilliseconds
                }
                let isOverSize = configuration.retentionBytes.map { total > $0 } ?? false
                guard isExpired || isOverSize else { break }
                if let keepFrom, oldest.nextOffset > keepFrom {
                    result.isHeldByKeepFrom = true
                    break
                }
                try oldest.delete()
                state.segments.removeFirst()
                total -= oldest.size
                result.deletedSegments += 1
                result.deletedRecords += oldest.nextOffset - oldest.baseOffset
                result.deletedBytes += oldest.size
            }
            if result.deletedSegments > 0 {
                try LogDirectory.sync(directory)
                statistics.noteFsyncs(1)
                statistics.noteDeleted(segments: result.deletedSegments, records: Int(result.deletedRecords))
            }
            result.logStartOffset = state.segments[0].baseOffset
            return result
        }
    }
}
