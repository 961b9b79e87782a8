import Synchronization

extension Partition {
    /// The oldest segment that is not the active one.
    public struct OldestSegment: Sendable, Equatable {
        /// Its first offset.
        public var baseOffset: Int64
        /// One past its last offset.
        public var nextOffset: Int64
        /// Its newest record's timestamp, if it holds any.
        public var newestTimestamp: Int64?
    }

    /// The oldest closed segment, or nil if only the active one is left.
    public func oldestClosedSegment() throws(LogError) -> OldestSegment? {
        try state.withLock { (state) throws(LogError) -> OldestSegment? in
            guard state.segments.count > 1 else { return nil }
            let oldest = state.segments[0]
            return OldestSegment(baseOffset: oldest.baseOffset, nextOffset: oldest.nextOffset, newestTimestamp: try oldest.maxTimestamp())
        }
    }

    /// Deletes the oldest segment if it is still the closed one starting at `baseOffset`; fsyncs
    /// the directory. Returns its record count and size, or nil if it is not (any more).
    public func deleteOldestSegment(baseOffset: Int64) throws(LogError) -> (records: Int64, bytes: Int)? {
        guard !isReadOnly else { return nil }
        let statistics = self.statistics
        let directory = self.directory
        return try state.withLock { (state) throws(LogError) -> (records: Int64, bytes: Int)? in
            guard state.segments.count > 1, state.segments[0].baseOffset == baseOffset else { return nil }
            let oldest = state.segments[0]
            try oldest.delete()
            state.segments.removeFirst()
            try LogDirectory.sync(directory)
            statistics.noteFsyncs(1)
            let records = oldest.nextOffset - oldest.baseOffset
            statistics.noteDeleted(segments: 1, records: Int(records))
            return (records, oldest.size)
        }
    }
}
