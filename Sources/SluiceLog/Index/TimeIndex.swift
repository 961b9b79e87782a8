/// A sparse map from time to offset within one segment, Kafka's `.timeindex` layout.
///
/// On disk: fixed 12-byte entries, big-endian (i64 timestamp in ms, u32 offset relative to the
/// segment's base offset). An entry (T, O) promises that every batch starting before offset O has
/// no timestamp above T, so a search for the first record at or after time X may skip to the O of
/// the last entry with T < X. The last entry, written when the segment rolls, is
/// (largest timestamp of the segment, next offset). Not checksummed: rebuilt from the segment.
///
/// Thread-safety: a value type; its owner serialises mutation.
struct TimeIndex: Sendable, Equatable {
    /// Size of one entry on disk.
    static let entrySize = 12
    private(set) var timestamps: [Int64] = []
    private(set) var relativeOffsets: [UInt32] = []

    var count: Int { timestamps.count }
    /// The largest timestamp recorded, if any.
    var lastTimestamp: Int64? { timestamps.last }
    /// The relative offset of the last entry (a sealed segment's ends at its next offset).
    var lastRelativeOffset: UInt32? { relativeOffsets.last }

    /// Adds an entry if `timestamp` is above the last one.
    mutating func append(timestamp: Int64, relativeOffset: UInt32) {
        if let last = timestamps.last, timestamp <= last { return }
        if let last = relativeOffsets.last, relativeOffset < last { return }
        timestamps.append(timestamp)
        relativeOffsets.append(relativeOffset)
    }

    /// The relative offset from which a scan for the first record at or after `timestamp` may start.
    func startOffset(forTimestamp timestamp: Int64) -> UInt32 {
        var low = 0
        var high = timestamps.count
        while low < high {
            let middle = (low + high) / 2
            if timestamps[middle] < timestamp { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? 0 : relativeOffsets[low - 1]
    }

    /// The entries as file bytes.
    var fileBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * Self.entrySize)
        for index in 0..<count {
            bytes.appendBigEndian(timestamps[index])
            bytes.appendBigEndian(relativeOffsets[index])
        }
        return bytes
    }

    /// Parses file bytes; nil if malformed.
    init?(fileBytes bytes: [UInt8]) {
        guard bytes.count % Self.entrySize == 0 else { return nil }
        let valid: Bool = bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            while reader.remaining > 0 {
                let timestamp: Int64 = reader.readBigEndian()!
                let offset: UInt32 = reader.readBigEndian()!
                if let last = timestamps.last, timestamp <= last || offset < relativeOffsets.last! { return false }
                timestamps.append(timestamp)
                relativeOffsets.append(offset)
            }
            return true
        }
        guard valid else { return nil }
    }

    /// An empty index.
    init() {}
}
