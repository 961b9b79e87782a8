/// A sparse map from offset to file position within one segment, Kafka's `.index` format.
///
/// On disk: fixed 8-byte entries, big-endian (u32 offset relative to the segment's base offset,
/// u32 byte position of the batch that starts at that offset), ascending in both. Not
/// checksummed: it can always be rebuilt from the segment. Sluice keeps the active segment's
/// index in memory and writes it once, when the segment rolls (no small index writes on an SD
/// card); the active segment's index is rebuilt by recovery on every open.
///
/// Thread-safety: a value type; its owner serialises mutation.
struct OffsetIndex: Sendable, Equatable {
    /// Size of one entry on disk.
    static let entrySize = 8
    /// Relative offsets of the entries.
    private(set) var relativeOffsets: [UInt32] = []
    /// Positions of the entries.
    private(set) var positions: [UInt32] = []

    var count: Int { relativeOffsets.count }

    /// Adds an entry; it must be above the last one.
    mutating func append(relativeOffset: UInt32, position: UInt32) {
        precondition(relativeOffsets.last.map { $0 < relativeOffset } ?? true, "offset index entries must ascend")
        relativeOffsets.append(relativeOffset)
        positions.append(position)
    }

    /// The position of the last indexed batch starting at or before `relativeOffset`, or 0.
    func position(atOrBefore relativeOffset: UInt32) -> Int {
        // Binary search for the last entry <= target.
        var low = 0
        var high = relativeOffsets.count
        while low < high {
            let middle = (low + high) / 2
            if relativeOffsets[middle] <= relativeOffset { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? 0 : Int(positions[low - 1])
    }

    /// The entries as file bytes.
    var fileBytes: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count * Self.entrySize)
        for index in 0..<count {
            bytes.appendBigEndian(relativeOffsets[index])
            bytes.appendBigEndian(positions[index])
        }
        return bytes
    }

    /// Parses file bytes; nil if they are not a well-formed index for a segment of `segmentSize` bytes.
    init?(fileBytes bytes: [UInt8], segmentSize: Int) {
        guard bytes.count % Self.entrySize == 0 else { return nil }
        let valid: Bool = bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            while reader.remaining > 0 {
                let offset: UInt32 = reader.readBigEndian()!
                let position: UInt32 = reader.readBigEndian()!
                if let last = relativeOffsets.last, offset <= last || position <= positions.last! { return false }
                if Int(position) >= segmentSize { return false }
                relativeOffsets.append(offset)
                positions.append(position)
            }
            return true
        }
        guard valid else { return nil }
    }

    /// An empty index.
    init() {}
}
