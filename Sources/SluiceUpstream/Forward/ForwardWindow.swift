/// The records of one local partition handed to the producer and not yet known delivered, in
/// offset order, and the forward cursor they imply: the first offset not yet delivered.
/// Delivery reports may come back out of order (records of one local partition go to several
/// upstream partitions); the cursor only moves over a contiguous delivered prefix, so a restart
/// never skips an undelivered record.
///
/// Thread-safety: a value type, owned by the forward thread.
struct ForwardWindow: Sendable {
    private var offsets: [Int64] = []
    private var sizes: [Int] = []
    private var delivered: [Bool] = []
    private var head = 0
    /// The next offset to read from the log and produce.
    private(set) var readPosition: Int64
    /// The first offset not known delivered (the forward cursor).
    private(set) var cursor: Int64
    /// Bytes produced and not yet delivered.
    private(set) var inFlightBytes = 0

    /// Starts at `cursor` (nothing in flight).
    init(cursor: Int64) {
        self.cursor = cursor
        self.readPosition = cursor
    }

    /// Records in flight.
    var inFlightCount: Int { offsets.count - head }

    /// Notes that `offset` was handed to the producer.
    mutating func produced(offset: Int64, bytes: Int) {
        precondition(offset >= readPosition, "records are produced in offset order")
        offsets.append(offset)
        sizes.append(bytes)
        delivered.append(false)
        inFlightBytes += bytes
        readPosition = offset + 1
        if inFlightCount == 1 { cursor = offset }
    }

    /// Skips offsets below `offset` that will never be produced (deleted by retention, or absent
    /// in a batch) when nothing is in flight.
    mutating func skip(to offset: Int64) {
        guard offset > readPosition else { return }
        readPosition = offset
        if inFlightCount == 0 { cursor = offset }
    }

    /// Pins the cursor at or below `offset` for good (the partition halts there): later deliveries
    /// still complete, but the cursor never passes `offset`.
    mutating func haltAt(_ offset: Int64) {
        haltOffset = min(haltOffset ?? offset, offset)
        cursor = min(cursor, offset)
        if inFlightCount == 0 { cursor = min(readPosition, offset) }
    }

    private var haltOffset: Int64?

    /// Notes a delivery (or a skip, under the `skip` policy). Returns whether the cursor moved.
    @discardableResult
    mutating func delivered(offset: Int64) -> Bool {
        // Binary search in the live part.
        var low = head
        var high = offsets.count
        while low < high {
            let middle = (low + high) / 2
            if offsets[middle] < offset { low = middle + 1 } else { high = middle }
        }
        guard low < offsets.count, offsets[low] == offset, !delivered[low] else { return false }
        delivered[low] = true
        inFlightBytes -= sizes[low]
        guard low == head else { return false }
        while head < offsets.count && delivered[head] { head += 1 }
        cursor = head < offsets.count ? offsets[head] : readPosition
        if let haltOffset { cursor = min(cursor, haltOffset) }
        if head > 4096 && head * 2 > offsets.count {
            offsets.removeFirst(head)
            sizes.removeFirst(head)
            delivered.removeFirst(head)
            head = 0
        }
        return true
    }
}
