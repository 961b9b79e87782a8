import Glibc

/// One segment of a partition: a `.log` file of RecordBatch v2 batches laid end to end, named by
/// its base offset in 20 digits, with its sparse `.index` (offset → position) and `.timeindex`
/// (time → offset) beside it.
///
/// On disk: `<baseOffset:020>.log` holds whole batches with contiguous offsets starting at the base
/// offset; `.index` and `.timeindex` are written (atomically, via `.tmp`) when the segment rolls and are
/// rebuilt from the `.log` whenever missing or malformed. A closed segment is immutable.
///
/// Thread-safety: not thread-safe; its `Partition` serialises all use under its lock.
final class Segment {
    /// Offset of the first record this segment holds (or will hold, if empty).
    let baseOffset: Int64
    /// The partition directory.
    let directory: String
    /// Size of the `.log` file in bytes (only complete batches).
    private(set) var size: Int
    /// One past the last offset in this segment.
    private(set) var nextOffset: Int64
    /// Bytes appended but not yet fsynced.
    private(set) var unsyncedBytes = 0

    private var file: SegmentFile?
    private var indexes: (offsets: OffsetIndex, times: TimeIndex)?
    private var bytesSinceIndexEntry = 0
    /// Largest timestamp appended to this segment (active segments only; closed ones read `.timeindex`).
    private var largestTimestamp: Int64?
    /// When the first batch was appended (ms; after recovery, that batch's max timestamp): the age
    /// reference for rolling on `segmentDuration`.
    private(set) var firstBatchTimestamp: Int64?

    var logPath: String { Self.path(directory, baseOffset, "log") }
    var indexPath: String { Self.path(directory, baseOffset, "index") }
    var timeIndexPath: String { Self.path(directory, baseOffset, "timeindex") }

    /// The file name of a segment's file: base offset in 20 digits, then the extension.
    static func path(_ directory: String, _ baseOffset: Int64, _ fileExtension: String) -> String {
        let digits = String(baseOffset)
        return directory + "/" + String(repeating: "0", count: max(0, 20 - digits.count)) + digits + "." + fileExtension
    }

    private init(directory: String, baseOffset: Int64, size: Int, nextOffset: Int64, file: SegmentFile?) {
        self.directory = directory
        self.baseOffset = baseOffset
        self.size = size
        self.nextOffset = nextOffset
        self.file = file
    }

    /// Creates a new, empty segment file.
    static func create(directory: String, baseOffset: Int64) throws(LogError) -> Segment {
        let path = Self.path(directory, baseOffset, "log")
        let file = try SegmentFile(path: path, create: true)
        let existing = try file.size()
        if existing > 0 { try file.truncate(to: 0) }
        let segment = Segment(directory: directory, baseOffset: baseOffset, size: 0, nextOffset: baseOffset, file: file)
        segment.indexes = (OffsetIndex(), TimeIndex())
        return segment
    }

    /// Describes an existing closed segment without reading it: its size comes from `stat`, its
    /// end from the next segment's base offset; indexes load on first use.
    static func closed(directory: String, baseOffset: Int64, nextOffset: Int64) throws(LogError) -> Segment {
        let path = Self.path(directory, baseOffset, "log")
        var info = stat()
        guard stat(path, &info) == 0 else { throw LogError.system("stat", path: path, errno: errno) }
        return Segment(directory: directory, baseOffset: baseOffset, size: Int(info.st_size), nextOffset: nextOffset, file: nil)
    }

    /// Opens an existing segment as the active one: scans every batch, checks lengths, CRCs and
    /// offset continuity, cuts the file at the first bad batch and rebuilds the indexes.
    /// With `readOnly`, nothing is cut: the segment just ends before the first bad batch (a reader
    /// beside a running daemon may see a batch still being written).
    static func recover(directory: String, baseOffset: Int64, indexIntervalBytes: Int, readOnly: Bool = false) throws(LogError) -> (Segment, SegmentRecovery) {
        let path = Self.path(directory, baseOffset, "log")
        let file = try SegmentFile(path: path, create: true, readOnly: readOnly)
        let fileSize = try file.size()
        let segment = Segment(directory: directory, baseOffset: baseOffset, size: 0, nextOffset: baseOffset, file: file)
        segment.indexes = (OffsetIndex(), TimeIndex())
        var batches = 0
        let problem = try segment.scan(from: 0, limit: fileSize, verifyChecksums: true) { position, header in
            guard header.baseOffset == segment.nextOffset else {
                return "batch at position \(position) has base offset \(header.baseOffset), expected \(segment.nextOffset)"
            }
            guard header.partitionLeaderEpoch == 0 else {
                return "batch at position \(position) has leader epoch \(header.partitionLeaderEpoch), expected 0"
            }
            segment.noteAppended(position: position, header: header, indexIntervalBytes: indexIntervalBytes)
            batches += 1
            return nil
        }
        if segment.size < fileSize && !readOnly { try file.truncate(to: segment.size) }
        let report = SegmentRecovery(
            baseOffset: baseOffset, scannedBytes: fileSize, validBatches: batches,
            truncatedBytes: fileSize - segment.size, problem: problem)
        return (segment, report)
    }

    // MARK: Appending

    /// Writes one batch (its offsets already assigned) at the end of the segment.
    func append(
        _ batch: UnsafeRawBufferPointer, header: RecordBatchHeader, indexIntervalBytes: Int, nowMillis: Int64
    ) throws(LogError) {
        let file = try openFile()
        try file.write(batch, at: size)
        if firstBatchTimestamp == nil { firstBatchTimestamp = nowMillis }
        noteAppended(position: size, header: header, indexIntervalBytes: indexIntervalBytes)
        unsyncedBytes += header.totalSize
    }

    /// Updates size, offsets and the in-memory indexes for a batch now at `position`.
    private func noteAppended(position: Int, header: RecordBatchHeader, indexIntervalBytes: Int) {
        if indexes == nil { indexes = (OffsetIndex(), TimeIndex()) }
        if position > 0 && bytesSinceIndexEntry >= indexIntervalBytes {
            let relative = UInt32(header.baseOffset - baseOffset)
            indexes!.offsets.append(relativeOffset: relative, position: UInt32(position))
            if let largestTimestamp { indexes!.times.append(timestamp: largestTimestamp, relativeOffset: relative) }
            bytesSinceIndexEntry = 0
        }
        bytesSinceIndexEntry += header.totalSize
        largestTimestamp = max(largestTimestamp ?? header.maxTimestamp, header.maxTimestamp)
        if firstBatchTimestamp == nil { firstBatchTimestamp = header.maxTimestamp }
        size = position + header.totalSize
        nextOffset = header.lastOffset + 1
    }

    /// fsyncs the `.log` file if anything was appended since the last sync; returns whether it did.
    @discardableResult
    func sync() throws(LogError) -> Bool {
        guard unsyncedBytes > 0, let file else { return false }
        try file.sync()
        unsyncedBytes = 0
        return true
    }

    /// fdatasyncs the `.log` file without touching the segment's state (safe outside the
    /// partition's lock: the kernel serialises it with concurrent writes).
    func syncFile() throws(LogError) {
        try file?.sync()
    }

    /// Records that `bytes` of the appended data are now durable.
    func noteSynced(bytes: Int) {
        unsyncedBytes = max(0, unsyncedBytes - bytes)
    }

    /// Seals the segment when it rolls: fsyncs the log, then writes both indexes (the time index
    /// ending with the segment's largest timestamp). Returns the number of fsyncs done.
    func seal() throws(LogError) -> Int {
        let syncs = try sync() ? 1 : 0
        return syncs + (try writeIndexes())
    }

    /// Writes both indexes, each to a `.tmp` file renamed into place, so a full disk never leaves
    /// a partial index. They are not fsynced: an index lost or cut short by a power cut is found
    /// malformed or incomplete when loaded (the time index must end at the segment's end) and is
    /// rebuilt. Returns the fsyncs done (none).
    private func writeIndexes() throws(LogError) -> Int {
        guard var indexes else { return 0 }
        if let largestTimestamp, nextOffset > baseOffset {
            indexes.times.append(timestamp: largestTimestamp, relativeOffset: UInt32(nextOffset - baseOffset))
        }
        try Self.writeAtomically(indexPath, indexes.offsets.fileBytes)
        try Self.writeAtomically(timeIndexPath, indexes.times.fileBytes)
        self.indexes = indexes
        return 0
    }

    private static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(LogError) {
        let temporary = path + ".tmp"
        do {
            let file = try SegmentFile(path: temporary, create: true)
            try file.truncate(to: 0)
            try file.write(bytes, at: 0)
            try LogDirectory.rename(temporary, to: path)
        } catch {
            try? LogDirectory.remove(temporary)
            throw error
        }
    }

    // MARK: Reading

    /// Whole batches starting with the one that holds `offset`, as on disk: at most `maxBytes`
    /// unless the first batch alone is larger (then just that batch, so readers always progress).
    /// Empty if `offset` is at or past the end of this segment.
    func read(from offset: Int64, maxBytes: Int) throws(LogError) -> [UInt8] {
        guard offset < nextOffset, size > 0 else { return [] }
        guard let start = try position(ofBatchHolding: offset) else { return [] }
        let file = try openFile()
        let window = min(size - start, max(maxBytes, RecordBatchHeader.size))
        var bytes = try file.read(count: window, at: start)
        // Keep only whole batches; fetch the first batch in full if it is larger than the window.
        var end = 0
        while end + RecordBatchHeader.lengthPrefixSize <= bytes.count {
            let length = bytes.withUnsafeBytes { raw in
                Int(Int32(bigEndian: raw.loadUnaligned(fromByteOffset: end + 8, as: Int32.self)))
            }
            let total = length + RecordBatchHeader.lengthPrefixSize
            if end + total > bytes.count {
                if end == 0 { return try file.read(count: total, at: start) }
                break
            }
            end += total
        }
        if end == 0 && bytes.count < RecordBatchHeader.lengthPrefixSize { return [] }
        bytes.removeSubrange(end...)
        return bytes
    }

    /// The file position of the batch holding `offset`, or nil if none does.
    private func position(ofBatchHolding offset: Int64) throws(LogError) -> Int? {
        let indexes = try loadIndexes()
        var found: Int?
        let start = indexes.offsets.position(atOrBefore: UInt32(max(0, offset - baseOffset)))
        _ = try scan(from: start, limit: size, verifyChecksums: false) { position, header in
            if header.lastOffset >= offset {
                found = position
                return "found"
            }
            return nil
        }
        return found
    }

    /// The largest timestamp in this segment, or nil if it is empty.
    func maxTimestamp() throws(LogError) -> Int64? {
        if let largestTimestamp { return largestTimestamp }
        guard nextOffset > baseOffset else { return nil }
        return try loadIndexes().times.lastTimestamp
    }

    /// The first offset in this segment whose record timestamp is at or after `timestamp`, or nil.
    func firstOffset(atOrAfter timestamp: Int64) throws(LogError) -> Int64? {
        guard let largest = try maxTimestamp(), largest >= timestamp else { return nil }
        let indexes = try loadIndexes()
        let startOffset = indexes.times.startOffset(forTimestamp: timestamp)
        let start = indexes.offsets.position(atOrBefore: startOffset)
        var found: (position: Int, header: RecordBatchHeader)?
        _ = try scan(from: start, limit: size, verifyChecksums: false) { position, header in
            if header.maxTimestamp >= timestamp {
                found = (position, header)
                return "found"
            }
            return nil
        }
        guard let found else { return nil }
        let bytes = try openFile().read(count: found.header.totalSize, at: found.position)
        let records = try RecordBatch(bytes[...]).records()
        return records.first { $0.timestamp >= timestamp }?.offset ?? found.header.lastOffset
    }

    // MARK: Scanning

    /// Walks the batch headers from `start` to `limit`, optionally checking each CRC. `visit`
    /// returns nil to go on or a reason to stop; the reason (or the first layout/CRC problem) is
    /// returned. Reads in 1 MiB chunks.
    private func scan(
        from start: Int, limit: Int, verifyChecksums: Bool,
        visit: (Int, RecordBatchHeader) throws(LogError) -> String?
    ) throws(LogError) -> String? {
        let file = try openFile()
        let chunkSize = verifyChecksums ? 1 << 20 : 64 << 10
        var position = start
        var chunk: [UInt8] = []
        var chunkStart = start
        while position < limit {
            var local = position - chunkStart
            if local + RecordBatchHeader.size > chunk.count {
                chunk = try file.read(count: min(chunkSize, limit - position), at: position)
                chunkStart = position
                local = 0
            }
            guard let header = chunk.withUnsafeBytes({ RecordBatchHeader(UnsafeRawBufferPointer(rebasing: $0[local...])) }) else {
                return "a partial batch header of \(limit - position) bytes at position \(position)"
            }
            if let problem = header.layoutProblem(available: limit - position) {
                return "batch at position \(position): \(problem)"
            }
            if verifyChecksums {
                if local + header.totalSize > chunk.count {
                    chunk = try file.read(count: max(header.totalSize, min(chunkSize, limit - position)), at: position)
                    chunkStart = position
                    local = 0
                }
                let crc = chunk.withUnsafeBytes { raw in
                    CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(local + RecordBatchHeader.crcCoverageStart)..<(local + header.totalSize)]))
                }
                if crc != header.crc {
                    return "batch at position \(position) (offset \(header.baseOffset)) has a bad CRC"
                }
            }
            if let stop = try visit(position, header) { return stop }
            position += header.totalSize
        }
        return nil
    }

    // MARK: Files

    private func openFile() throws(LogError) -> SegmentFile {
        if let file { return file }
        let opened = try SegmentFile(path: logPath, create: false, readOnly: true)
        file = opened
        return opened
    }

    /// The segment's indexes, read from disk for a closed segment or rebuilt if missing or malformed.
    private func loadIndexes() throws(LogError) -> (offsets: OffsetIndex, times: TimeIndex) {
        if let indexes { return indexes }
        if let offsets = Self.readIndexFile(indexPath).flatMap({ OffsetIndex(fileBytes: $0, segmentSize: size) }),
            let times = Self.readIndexFile(timeIndexPath).flatMap({ TimeIndex(fileBytes: $0) }),
            size == 0 || times.lastRelativeOffset == UInt32(clamping: nextOffset - baseOffset)
        {
            indexes = (offsets, times)
            return (offsets, times)
        }
        try rebuildIndexes()
        return indexes!
    }

    /// Rebuilds a closed segment's indexes from its batches and writes them out.
    private func rebuildIndexes() throws(LogError) {
        indexes = (OffsetIndex(), TimeIndex())
        bytesSinceIndexEntry = 0
        largestTimestamp = nil
        let end = size
        let interval = 4096
        _ = try scan(from: 0, limit: end, verifyChecksums: false) { position, header in
            noteAppended(position: position, header: header, indexIntervalBytes: interval)
            return nil
        }
        // Saving the rebuilt indexes is an optimisation: on a full disk, rebuild again next time.
        _ = try? writeIndexes()
        largestTimestamp = nil
    }

    private static func readIndexFile(_ path: String) -> [UInt8]? {
        guard let file = try? SegmentFile(path: path, create: false), let size = try? file.size() else { return nil }
        return try? file.read(count: size, at: 0)
    }

    /// Deletes the segment's files: renamed to `.deleted` first, then removed, so a crash in
    /// between leaves nothing that looks like live data.
    func delete() throws(LogError) {
        file = nil
        for path in [logPath, indexPath, timeIndexPath] {
            if access(path, F_OK) == 0 {
                try LogDirectory.rename(path, to: path + ".deleted")
                try LogDirectory.remove(path + ".deleted")
            }
        }
    }
}

/// What recovery found in one active segment.
public struct SegmentRecovery: Sendable, Equatable {
    /// Base offset of the segment scanned.
    public var baseOffset: Int64
    /// Bytes read and checked.
    public var scannedBytes: Int
    /// Whole, valid batches kept.
    public var validBatches: Int
    /// Bytes cut off the end (a torn or corrupt tail).
    public var truncatedBytes: Int
    /// Why the scan stopped early, if it did.
    public var problem: String?
}
