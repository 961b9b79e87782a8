import Glibc

extension LogManager {
    /// Enforces `budget` on the whole data directory: while the segments take more than
    /// `maxBytes`, or the filesystem has less than `minFreeBytes` free, deletes the oldest closed
    /// segment of any partition (oldest by its newest record). Segments holding offsets at or
    /// above their partition's `keepFrom` (not yet forwarded) go last, and only with
    /// `drop-oldest`; their records above `keepFrom` are counted as dropped.
    /// - Parameter keepFrom: per partition, the first offset not yet forwarded (nil: all may go).
    /// - Throws: `LogError` if a segment cannot be removed or the filesystem cannot be read.
    public func enforce(_ budget: DiskBudget, keepFrom: (Partition) -> Int64? = { _ in nil }) throws(LogError) -> DiskBudgetResult {
        var result = DiskBudgetResult()
        let partitions = allPartitions.filter { !$0.isReadOnly }
        result.usedBytes = partitions.reduce(0) { $0 + $1.sizeBytes }
        result.freeBytes = try freeBytes()
        func excess() -> Int {
            max(budget.maxBytes.map { result.usedBytes - $0 } ?? 0, budget.minFreeBytes.map { $0 - result.freeBytes } ?? 0)
        }
        guard excess() > 0 else { return result }
        let limits = partitions.map { keepFrom($0) }
        while excess() > 0 {
            // The oldest deletable segment: forwarded ones first, then (drop-oldest) any.
            var candidates: [(partition: Int, segment: Partition.OldestSegment)] = []
            for (index, partition) in partitions.enumerated() {
                if let oldest = try partition.oldestClosedSegment() { candidates.append((index, oldest)) }
            }
            let forwarded = candidates.filter { candidate in limits[candidate.partition].map { candidate.segment.nextOffset <= $0 } ?? true }
            let pool = forwarded.isEmpty && budget.policy == .dropOldest ? candidates : forwarded
            guard let chosen = pool.min(by: { ($0.segment.newestTimestamp ?? .min) < ($1.segment.newestTimestamp ?? .min) }) else {
                result.isExceeded = true
                break
            }
            let partition = partitions[chosen.partition]
            guard let deleted = try partition.deleteOldestSegment(baseOffset: chosen.segment.baseOffset) else { continue }
            result.deletedSegments += 1
            result.deletedRecords += deleted.records
            result.usedBytes -= deleted.bytes
            if let limit = limits[chosen.partition], chosen.segment.nextOffset > limit {
                result.droppedUnforwardedRecords += chosen.segment.nextOffset - max(limit, chosen.segment.baseOffset)
            }
            result.freeBytes = try freeBytes()
        }
        if result.droppedUnforwardedRecords > 0 { statistics.noteDropped(Int(result.droppedUnforwardedRecords)) }
        return result
    }

    /// Bytes available to this process on the data directory's filesystem.
    public func freeBytes() throws(LogError) -> Int {
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else {
            throw LogError(code: .ioFailure, message: "cannot read the free space of \(directory)", path: directory, errno: errno)
        }
        return Int(info.f_bavail) * Int(info.f_frsize)
    }
}
